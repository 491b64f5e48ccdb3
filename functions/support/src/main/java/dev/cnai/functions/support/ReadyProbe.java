package dev.cnai.functions.support;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code java -cp <function-support jar> dev.cnai.functions.support.ReadyProbe URL [SECONDS] [PATH…]
 * [--post PATH FILE COUNT]…}: waits until {@code URL} answers 200 (at most SECONDS, default 120), then GETs each
 * further PATH on the same server once and POSTs the JSON body in FILE to each {@code --post} PATH COUNT times (to
 * exercise the request path, e.g. for an AOT training run), and exits 0; exits 1 with the last answer when the time
 * runs out, or when a POST is not answered 200 (a training run that did not serve is not a training run). For image
 * builds: it needs nothing but the JRE (no shell features, curl or wget), so a wait for readiness in a {@code RUN}
 * step cannot silently pass on a base whose {@code /bin/sh} lacks them.
 */
public final class ReadyProbe {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final PrintStream out;

    private ReadyProbe(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out));
    }

    /** The probe; returns the exit status (0 ready and every request answered, 1 not, 2 usage). */
    static int run(String[] args, PrintStream out) throws InterruptedException {
        if (args.length < 1) {
            out.println("usage: ReadyProbe URL [SECONDS] [PATH...] [--post PATH FILE COUNT]...");
            return 2;
        }
        URI url = URI.create(args[0]);
        boolean timed = args.length > 1 && args[1].matches("\\d+");
        long seconds = timed ? Long.parseLong(args[1]) : 120;
        ReadyProbe probe = new ReadyProbe(out);
        if (!probe.awaitReady(url, seconds)) {
            return 1;
        }
        for (int i = timed ? 2 : 1; i < args.length; i++) {
            if (args[i].equals("--post")) {
                if (i + 3 >= args.length) {
                    out.println("ReadyProbe: --post needs PATH FILE COUNT");
                    return 2;
                }
                if (!probe.post(url.resolve(args[i + 1]), Path.of(args[i + 2]), Integer.parseInt(args[i + 3]))) {
                    return 1;
                }
                i += 3;
            } else {
                URI more = url.resolve(args[i]);
                try {
                    out.printf("ReadyProbe: GET %s -> %d%n", more, probe.get(more));
                } catch (IOException e) {
                    out.printf("ReadyProbe: GET %s -> %s%n", more, e.getMessage());
                }
            }
        }
        return 0;
    }

    private boolean awaitReady(URI url, long seconds) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        String last = "no answer";
        while (true) {
            try {
                int status = get(url);
                if (status == 200) {
                    out.printf("ReadyProbe: %s ready after %d ms%n", url, (System.nanoTime() - start) / 1_000_000);
                    return true;
                }
                last = "HTTP " + status;
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                out.printf("ReadyProbe: %s not ready within %d s (last: %s)%n", url, seconds, last);
                return false;
            }
            Thread.sleep(100);
        }
    }

    private boolean post(URI url, Path file, int count) throws InterruptedException {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(file))).build();
        } catch (IOException e) {
            out.printf("ReadyProbe: cannot read %s: %s%n", file, e.getMessage());
            return false;
        }
        long start = System.nanoTime();
        for (int n = 0; n < count; n++) {
            String status;
            try {
                int code = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (code == 200) {
                    continue;
                }
                status = "HTTP " + code;
            } catch (IOException e) {
                status = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            out.printf("ReadyProbe: POST %s -> %s (request %d of %d)%n", url, status, n + 1, count);
            return false;
        }
        out.printf("ReadyProbe: POST %s -> 200 x %d in %d ms%n", url, count, (System.nanoTime() - start) / 1_000_000);
        return true;
    }

    private int get(URI url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
