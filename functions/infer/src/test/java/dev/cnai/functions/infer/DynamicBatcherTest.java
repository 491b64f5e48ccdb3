package dev.cnai.functions.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;
import dev.cnai.serving.ServingException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batcher on its own: grouping, the row limit, the bounded queue, the queue delay and failures. */
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
            implements ServingSetup.Batching {
    }

    /** Rows are the input; the result is the batch's row count; the first batch blocks until released. */
    private DynamicBatcher<Integer, Integer> batcher(Cfg cfg) {
        return new DynamicBatcher<>(batch -> {
            int rows = batch.stream().mapToInt(DynamicBatcher.Slot::rows).sum();
            batches.add(rows);
            if (batches.size() == 1) {
                firstStarted.countDown();
                await(release);
            }
            batch.forEach(s -> s.complete(rows));
        }, i -> i, () -> ServingException.overloaded("m", cfg.maxQueueSize()), pool, cfg, metrics, "m");
    }

    @Test
    void queuedRequestsRunAsOneBatchUpToTheRowLimit() throws Exception {
        var b = batcher(new Cfg(8, 0, 64, 1));
        List<java.util.concurrent.CompletableFuture<Integer>> out = new ArrayList<>();
        out.add(b.submit(1).subscribeAsCompletionStage());
        assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < 12; i++) {
            out.add(b.submit(1).subscribeAsCompletionStage());
        }
        out.add(b.submit(3).subscribeAsCompletionStage());
        release.countDown();
        for (var f : out) {
            f.get(5, TimeUnit.SECONDS);
        }
        assertEquals(List.of(1, 8, 7), batches, "one alone, then 8 rows, then the remaining 4 + 3 rows");
        assertEquals(3, metrics.get("cnai.infer.batch.size").summary().count());
        assertEquals(14, metrics.get("cnai.infer.queue.time").timer().count());
    }

    @Test
    void aFullQueueRefusesAtOnceWithOverloaded() throws Exception {
        var b = batcher(new Cfg(64, 0, 2, 1));
        var first = b.submit(1).subscribeAsCompletionStage();
        assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
        var second = b.submit(1).subscribeAsCompletionStage();
        var third = b.submit(1).subscribeAsCompletionStage();
        assertEquals(2, b.queued());
        Throwable refused = b.submit(1).onItem().<Throwable>transform(x -> null).onFailure().recoverWithItem(t -> t)
                .await().atMost(Duration.ofSeconds(5));
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
            int rows = batch.stream().mapToInt(DynamicBatcher.Slot::rows).sum();
            batches.add(rows);
            batch.forEach(s -> s.complete(rows));
        }, i -> i, () -> ServingException.overloaded("m", 64), pool, new Cfg(4, 500_000, 64, 1), metrics, "m");
        var a = b.submit(1).subscribeAsCompletionStage();
        Thread.sleep(50);
        var c = b.submit(1).subscribeAsCompletionStage();
        assertEquals(2, a.get(5, TimeUnit.SECONDS));
        assertEquals(2, c.get(5, TimeUnit.SECONDS));
        assertEquals(List.of(2), batches);
    }

    @Test
    void aFailingBatchFailsEachOfItsRequestsAndTheNextBatchRuns() throws Exception {
        var b = new DynamicBatcher<Integer, Integer>(batch -> {
            if (batch.get(0).input() < 0) {
                throw ServingException.invalid("boom");
            }
            batch.forEach(s -> s.complete(s.input()));
        }, i -> 1, () -> ServingException.overloaded("m", 8), pool, new Cfg(1, 0, 8, 2), metrics, "m");
        Uni<Integer> bad = b.submit(-1);
        Throwable t = bad.onItem().<Throwable>transform(x -> null).onFailure().recoverWithItem(x -> x)
                .await().atMost(Duration.ofSeconds(5));
        assertEquals(ErrorKind.INVALID_INPUT, ((CnaiException) t).kind());
        assertEquals(5, b.submit(5).await().atMost(Duration.ofSeconds(5)));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
