package dev.cnai.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher on its own: grouping, the row limit, the bounded queue, the queue delay, failures, and the
 * contract that every accepted request is completed or failed.
 */
class DynamicBatcherTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<Integer> batches = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch firstStarted = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        pool.shutdownNow();
    }

    record Cfg(int maxBatchSize, int maxQueueDelayMicroseconds, int maxQueueSize, int instanceCount)
            implements DynamicBatcher.Settings {
    }

    /** Rows are the input; the result is the batch's row count; the first batch blocks until released. */
    private DynamicBatcher<Integer, Integer> batcher(Cfg cfg) {
        return new DynamicBatcher<>(batch -> {
            int rows = batch.stream().mapToInt(Integer::intValue).sum();
            batches.add(rows);
            if (batches.size() == 1) {
                firstStarted.countDown();
                await(release);
            }
            return Collections.nCopies(batch.size(), rows);
        }, i -> i, () -> ServingException.overloaded("m", cfg.maxQueueSize()), pool, cfg, metrics, "m");
    }

    @Test
    void queuedRequestsRunAsOneBatchUpToTheRowLimit() throws Exception {
        var b = batcher(new Cfg(8, 0, 64, 1));
        List<CompletableFuture<Integer>> out = new ArrayList<>();
        out.add(b.submit(1));
        assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < 12; i++) {
            out.add(b.submit(1));
        }
        out.add(b.submit(3));
        release.countDown();
        for (var f : out) {
            f.get(5, TimeUnit.SECONDS);
        }
        assertEquals(List.of(1, 8, 7), batches, "one alone, then 8 rows, then the remaining 4 + 3 rows");
        assertEquals(3, metrics.get("cnai.infer.batch.size").summary().count());
        assertEquals(14, metrics.get("cnai.infer.queue.time").timer().count());
        assertEquals(14, metrics.get("cnai.infer.latency").timer().count(), "every answered request is timed");
    }

    @Test
    void latencyAndBatchSizesHaveHistogramBucketsForQuantilesAndHeatmaps() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        release.countDown();
        var b = new DynamicBatcher<Integer, Integer>(batch -> Collections.nCopies(batch.size(), 0), i -> i,
                () -> ServingException.overloaded("m", 64), pool, new Cfg(8, 0, 64, 1), prometheus, "m");
        b.submit(3).get(5, TimeUnit.SECONDS);
        String text = prometheus.scrape();
        // quantiles (histogram_quantile) need the latency buckets, from 100 µs to 10 s
        assertTrue(text.contains("cnai_infer_latency_seconds_bucket{model=\"m\",le=\"1.0E-4\",}"), text);
        assertTrue(text.contains("cnai_infer_latency_seconds_bucket{model=\"m\",le=\"10.0\",}"), text);
        assertTrue(text.contains("cnai_infer_latency_seconds_bucket{model=\"m\",le=\"+Inf\",} 1.0"), text);
        assertTrue(text.contains("cnai_infer_latency_seconds_count{model=\"m\",} 1.0"), text);
        // batch sizes: buckets up to max-batch-size; the 3-row batch is counted from le=3 up, not below
        assertTrue(text.contains("cnai_infer_batch_size_rows_bucket{model=\"m\",le=\"2.0\",} 0.0"), text);
        assertTrue(text.contains("cnai_infer_batch_size_rows_bucket{model=\"m\",le=\"3.0\",} 1.0"), text);
        assertTrue(text.contains("cnai_infer_batch_size_rows_bucket{model=\"m\",le=\"8.0\",} 1.0"), text);
        assertTrue(!text.contains("cnai_infer_batch_size_rows_bucket{model=\"m\",le=\"16.0\""), text);
    }

    @Test
    void aFullQueueRefusesAtOnceWithOverloaded() throws Exception {
        var b = batcher(new Cfg(64, 0, 2, 1));
        var first = b.submit(1);
        assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
        var second = b.submit(1);
        var third = b.submit(1);
        assertEquals(2, b.queued());
        Throwable refused = failure(b.submit(1));
        CnaiException e = assertInstanceOf(CnaiException.class, refused);
        assertEquals(ErrorKind.OVERLOADED, e.kind());
        assertEquals(1.0, metrics.get("cnai.infer.queue.rejected").counter().count());
        assertEquals(2, b.queued(), "the refused request took no queue space");
        release.countDown();
        assertEquals(1, first.get(5, TimeUnit.SECONDS));
        assertEquals(2, second.get(5, TimeUnit.SECONDS));
        assertEquals(2, third.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aQueueDelayGathersRequestsArrivingWithinIt() throws Exception {
        release.countDown();
        var b = new DynamicBatcher<Integer, Integer>(batch -> {
            int rows = batch.stream().mapToInt(Integer::intValue).sum();
            batches.add(rows);
            return Collections.nCopies(batch.size(), rows);
        }, i -> i, () -> ServingException.overloaded("m", 64), pool, new Cfg(4, 500_000, 64, 1), metrics, "m");
        var a = b.submit(1);
        Thread.sleep(50);
        var c = b.submit(1);
        assertEquals(2, a.get(5, TimeUnit.SECONDS));
        assertEquals(2, c.get(5, TimeUnit.SECONDS));
        assertEquals(List.of(2), batches);
    }

    @Test
    void aFailingBatchFailsEachOfItsRequestsAndTheNextBatchRuns() throws Exception {
        var b = new DynamicBatcher<Integer, Integer>(batch -> {
            if (batch.get(0) < 0) {
                throw ServingException.invalid("boom");
            }
            return batch;
        }, i -> 1, () -> ServingException.overloaded("m", 8), pool, new Cfg(1, 0, 8, 2), metrics, "m");
        CompletableFuture<Integer> bad = b.submit(-1);
        Throwable t = failure(bad);
        assertEquals(ErrorKind.INVALID_INPUT, ((CnaiException) t).kind());
        assertEquals(5, b.submit(5).get(5, TimeUnit.SECONDS));
    }

    @Test
    void aBatchFunctionThatThrowsFailsEveryRequestOfTheBatch() throws Exception {
        var b = new DynamicBatcher<Integer, Integer>(batch -> {
            batches.add(batch.size());
            if (batches.size() == 1) {
                firstStarted.countDown();
                await(release);
                return batch;
            }
            throw new IllegalArgumentException("boom");
        }, i -> 1, () -> ServingException.overloaded("m", 64), pool, new Cfg(64, 0, 64, 1), metrics, "m");
        var first = b.submit(0);
        assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(b.submit(i));
        }
        release.countDown();
        assertEquals(0, first.get(5, TimeUnit.SECONDS));
        for (var f : queued) {
            IllegalArgumentException e = assertInstanceOf(IllegalArgumentException.class, failure(f));
            assertEquals("boom", e.getMessage());
        }
        assertEquals(List.of(1, 5), batches, "the five queued requests ran, and failed, as one batch");
    }

    @Test
    void tooFewOrTooManyResultsFailEveryRequestOfTheBatchWithAClearError() throws Exception {
        for (int extra : new int[] {-1, 1}) {
            var b = new DynamicBatcher<Integer, Integer>(batch -> {
                List<Integer> out = new ArrayList<>(batch);
                if (extra < 0) {
                    out.remove(0);
                } else {
                    out.add(99);
                }
                return out;
            }, i -> 1, () -> ServingException.overloaded("m", 64), pool, new Cfg(1, 0, 64, 1), metrics, "m" + extra);
            for (int i = 0; i < 3; i++) {
                IllegalStateException e = assertInstanceOf(IllegalStateException.class, failure(b.submit(i)));
                assertTrue(e.getMessage().contains("returned " + (1 + extra) + " results for a batch of 1"),
                        e.getMessage());
            }
        }
        var nothing = new DynamicBatcher<Integer, Integer>(batch -> null, i -> 1,
                () -> ServingException.overloaded("m", 64), pool, new Cfg(8, 0, 64, 1), metrics, "null");
        assertTrue(failure(nothing.submit(1)).getMessage().contains("returned no list"));
    }

    /** The exception {@code f} fails with (within 5 s); fails the test when it succeeds. */
    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS)).getCause();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
