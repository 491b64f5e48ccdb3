package dev.cnai.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@code GET /metrics} of a broker, and the samples in its Prometheus text (format 0.0.4): {@code name{labels}}
 * → value, labels sorted by name as the simpleclient writes them.
 */
record Scrape(String text, Map<String, Double> samples) {

    /** Scrapes {@code broker}'s {@code /metrics} (status 200, Prometheus text content type). */
    static Scrape of(HttpClient http, LocalBroker broker) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(broker.uri().resolve(BrokerMetrics.PATH)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        Map<String, Double> samples = new TreeMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space).replace(",}", "}"), Double.parseDouble(line.substring(space + 1)));
        }
        return new Scrape(r.body(), samples);
    }

    /** The value of sample {@code series} (e.g. {@code cnai_broker_deliveries_total{outcome="delivered",trigger="a"}}), 0 when absent. */
    double value(String series) {
        return samples.getOrDefault(series, 0.0);
    }
}
