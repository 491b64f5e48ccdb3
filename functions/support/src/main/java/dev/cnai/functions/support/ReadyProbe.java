package dev.cnai.functions.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code java -cp <function-support jar> dev.cnai.functions.support.ReadyProbe URL [SECONDS] [PATH…]}: waits until
 * {@code URL} answers 200 (at most SECONDS, default 120), then GETs each further PATH on the same server once (to
 * exercise the request path, e.g. for an AOT training run), and exits 0; exits 1 with the last answer when the time
 * runs out. For image builds: it needs nothing but the JRE (no shell features, curl or wget), so a wait for
 * readiness in a {@code RUN} step cannot silently pass on a base whose {@code /bin/sh} lacks them.
 */
public final class ReadyProbe {
    private ReadyProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1) {
            System.err.println("usage: ReadyProbe URL [SECONDS] [PATH...]");
            System.exit(2);
        }
        URI url = URI.create(args[0]);
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 120;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        String last = "no answer";
        long start = System.nanoTime();
        while (true) {
            try {
                int status = get(http, url);
                if (status == 200) {
                    break;
                }
                last = "HTTP " + status;
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                System.err.printf("ReadyProbe: %s not ready within %d s (last: %s)%n", url, seconds, last);
                System.exit(1);
            }
            Thread.sleep(100);
        }
        System.out.printf("ReadyProbe: %s ready after %d ms%n", url, (System.nanoTime() - start) / 1_000_000);
        for (int i = 2; i < args.length; i++) {
            URI more = url.resolve(args[i]);
            try {
                System.out.printf("ReadyProbe: GET %s -> %d%n", more, get(http, more));
            } catch (IOException e) {
                System.out.printf("ReadyProbe: GET %s -> %s%n", more, e.getMessage());
            }
        }
    }

    private static int get(HttpClient http, URI url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
