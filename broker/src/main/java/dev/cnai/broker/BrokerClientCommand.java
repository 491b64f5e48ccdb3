package dev.cnai.broker;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * What the commands that talk to a running broker ({@code send}, {@code watch}) share: their {@code --broker} URL
 * option and its check, where they print, the check of required options, and their HTTP client.
 */
abstract class BrokerClientCommand implements Callable<Integer> {

    /** Default broker URL of {@code send} and {@code watch}. */
    static final String DEFAULT_BROKER = "http://127.0.0.1:8080";

    @Option(names = "--broker", defaultValue = DEFAULT_BROKER, paramLabel = "URL",
            description = "broker URL (default ${DEFAULT-VALUE})")
    String broker;

    /** Where the command's result goes. */
    protected final PrintStream out;
    /** Where errors and progress go. */
    protected final PrintStream err;

    BrokerClientCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** {@code value}, or a usage error naming {@code --option} when it is absent or blank. */
    static String required(String option, String value) {
        if (value == null || value.isBlank()) {
            throw new UsageException("option --" + option + " is required");
        }
        return value;
    }

    /** {@code --broker} as an absolute URI, or a usage error. */
    URI brokerUri() {
        try {
            URI u = URI.create(broker);
            if (!u.isAbsolute()) {
                throw new IllegalArgumentException("not absolute");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--broker must be an absolute URL like " + DEFAULT_BROKER + ", got '" + broker
                    + "'");
        }
    }

    /** An HTTP/1.1 client with a 5 s connect timeout. */
    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }
}
