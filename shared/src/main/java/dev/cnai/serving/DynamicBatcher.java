package dev.cnai.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Triton-style dynamic batcher: concurrent requests wait in one bounded queue and are run together, up to
 * {@code maxBatchSize} rows per call of the batch function, by at most {@code instanceCount} runners at a
 * time. A runner takes what is queued when it becomes free, so under load batches grow by themselves and a
 * lone request is run at once; with {@code maxQueueDelay > 0} a runner holding a partial batch waits up to
 * that long (measured from the oldest request) for more. A full queue rejects at once with the exception
 * {@code overloaded} supplies: memory stays bounded by the queue size.
 *
 * <p>The contract is djl-serving's ({@code BatchAggregator} + {@code WorkerThread}): the batch function is a
 * pure {@code List<I> → List<O>}, one result per input in order, and the batcher answers every request it
 * accepted. When the function throws, every request of the batch fails with that exception; when it returns
 * a list of the wrong size (or null), every request of the batch fails with an {@link IllegalStateException}
 * saying so. No future is left waiting.
 *
 * <p>Results are {@link CompletableFuture}s (adapt them at the edge, e.g. Mutiny's
 * {@code Uni.createFrom().completionStage}); runners are tasks on the given executor, never threads of their
 * own. A future is completed on the runner's thread, so its dependent stages run there. Metrics:
 * {@code cnai.infer.batch.size} (rows per batch, with histogram buckets up to {@code maxBatchSize}),
 * {@code cnai.infer.queue.time} (enqueue → batch start), {@code cnai.infer.latency} (enqueue → answered, with
 * histogram buckets from 100 µs to 10 s for quantiles), {@code cnai.infer.queue.rejected}, gauge
 * {@code cnai.infer.queue.depth}; all tagged {@code model}.
 *
 * @param <I> a request
 * @param <O> its result
 */
public final class DynamicBatcher<I, O> {

    /** Runs one batch: exactly one result per input, in the inputs' order. */
    @FunctionalInterface
    public interface BatchFunction<I, O> {
        List<O> run(List<I> inputs);
    }

    /** Batching settings, named after Triton's model configuration. */
    public interface Settings {
        /** Most rows run in one call; 1 turns dynamic batching off (batch-1 serving). */
        int maxBatchSize();

        /** How long a runner holding a partial batch waits for more requests; 0 runs what is queued at once. */
        int maxQueueDelayMicroseconds();

        /** Requests that may wait; one more is refused with the overloaded exception (memory stays bounded). */
        int maxQueueSize();

        /** Batches that may run at the same time (Triton's instance_group count). */
        int instanceCount();

        /** Settings given by value. */
        static Settings of(int maxBatchSize, int maxQueueDelayMicroseconds, int maxQueueSize, int instanceCount) {
            record Values(int maxBatchSize, int maxQueueDelayMicroseconds, int maxQueueSize, int instanceCount)
                    implements Settings {
            }
            return new Values(maxBatchSize, maxQueueDelayMicroseconds, maxQueueSize, instanceCount);
        }
    }

    /** One queued request and its answer. */
    private record Slot<I, O>(I input, int rows, long enqueuedNanos, CompletableFuture<O> result) {
    }

    private final BatchFunction<I, O> function;
    private final ToIntFunction<I> rowsOf;
    private final Supplier<RuntimeException> overloaded;
    private final Executor executor;
    private final int maxBatchSize;
    private final long maxQueueDelayNanos;
    private final int instanceCount;
    private final ArrayBlockingQueue<Slot<I, O>> queue;
    private final ReentrantLock take = new ReentrantLock();
    private final AtomicInteger active = new AtomicInteger();
    private final DistributionSummary batchSize;
    private final Timer queueTime;
    private final Timer latency;
    private final Counter rejected;

    /**
     * @param function   runs one batch
     * @param rowsOf     rows a request counts for against {@code maxBatchSize}
     * @param overloaded the exception a request refused by a full queue fails with
     * @param executor   where runners run
     * @param model      the {@code model} tag of the metrics
     */
    public DynamicBatcher(BatchFunction<I, O> function, ToIntFunction<I> rowsOf, Supplier<RuntimeException> overloaded,
            Executor executor, Settings config, MeterRegistry metrics, String model) {
        this.function = function;
        this.rowsOf = rowsOf;
        this.overloaded = overloaded;
        this.executor = executor;
        this.maxBatchSize = Math.max(1, config.maxBatchSize());
        this.maxQueueDelayNanos = TimeUnit.MICROSECONDS.toNanos(Math.max(0, config.maxQueueDelayMicroseconds()));
        this.instanceCount = Math.max(1, config.instanceCount());
        this.queue = new ArrayBlockingQueue<>(Math.max(1, config.maxQueueSize()));
        this.batchSize = DistributionSummary.builder("cnai.infer.batch.size").baseUnit("rows")
                .description("rows per ONNX Runtime call").tag("model", model).publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue((double) maxBatchSize).register(metrics);
        this.queueTime = Timer.builder("cnai.infer.queue.time").description("time from enqueue to batch start")
                .tag("model", model).register(metrics);
        this.latency = Timer.builder("cnai.infer.latency")
                .description("time from enqueue until the request's batch answered it (queue wait and ONNX Runtime call)")
                .tag("model", model).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(metrics);
        this.rejected = Counter.builder("cnai.infer.queue.rejected").description("requests refused: queue full")
                .tag("model", model).register(metrics);
        Gauge.builder("cnai.infer.queue.depth", queue, ArrayBlockingQueue::size).tag("model", model)
                .description("requests waiting").register(metrics);
    }

    /**
     * Queues {@code input}. The future fails at once with the overloaded exception when the queue is full,
     * and otherwise is completed or failed by the batch that runs it.
     */
    public CompletableFuture<O> submit(I input) {
        CompletableFuture<O> result = new CompletableFuture<>();
        if (!queue.offer(new Slot<>(input, rowsOf.applyAsInt(input), System.nanoTime(), result))) {
            rejected.increment();
            result.completeExceptionally(overloaded.get());
            return result;
        }
        startRunner();
        return result;
    }

    /** Requests waiting now. */
    public int queued() {
        return queue.size();
    }

    private void startRunner() {
        while (!queue.isEmpty()) {
            int a = active.get();
            if (a >= instanceCount) {
                return;
            }
            if (active.compareAndSet(a, a + 1)) {
                try {
                    executor.execute(this::drain);
                } catch (RuntimeException e) {
                    active.decrementAndGet();
                    throw e;
                }
                return;
            }
        }
    }

    private void drain() {
        try {
            List<Slot<I, O>> batch = new ArrayList<>();
            while (true) {
                batch.clear();
                int rows = take(batch, 0);
                if (batch.isEmpty()) {
                    return;
                }
                if (maxQueueDelayNanos > 0 && rows < maxBatchSize) {
                    long deadline = batch.get(0).enqueuedNanos() + maxQueueDelayNanos;
                    long now;
                    while (rows < maxBatchSize && (now = System.nanoTime()) < deadline) {
                        int before = batch.size();
                        rows = take(batch, rows);
                        if (batch.size() == before) {
                            LockSupport.parkNanos(Math.min(deadline - now, 20_000));
                        }
                    }
                }
                run(batch, rows);
            }
        } finally {
            active.decrementAndGet();
            startRunner();
        }
    }

    /** Moves queued slots into {@code batch} while they fit in {@code maxBatchSize} rows (the first always does). */
    private int take(List<Slot<I, O>> batch, int rows) {
        take.lock();
        try {
            Slot<I, O> next;
            while ((next = queue.peek()) != null && (batch.isEmpty() || rows + next.rows() <= maxBatchSize)) {
                batch.add(queue.poll());
                rows += next.rows();
            }
            return rows;
        } finally {
            take.unlock();
        }
    }

    /** Runs one batch and answers every one of its requests (djl-serving's sendResponse / sendError). */
    private void run(List<Slot<I, O>> batch, int rows) {
        long start = System.nanoTime();
        List<I> inputs = new ArrayList<>(batch.size());
        for (Slot<I, O> s : batch) {
            queueTime.record(start - s.enqueuedNanos(), TimeUnit.NANOSECONDS);
            inputs.add(s.input());
        }
        batchSize.record(rows);
        List<O> results;
        try {
            results = function.run(inputs);
        } catch (RuntimeException | Error e) {
            failAll(batch, e);
            return;
        }
        if (results == null || results.size() != batch.size()) {
            failAll(batch, new IllegalStateException("the batch function returned "
                    + (results == null ? "no list" : results.size() + " results") + " for a batch of " + batch.size()
                    + " requests; every request of the batch failed"));
            return;
        }
        long done = System.nanoTime();
        for (int i = 0; i < batch.size(); i++) {
            Slot<I, O> s = batch.get(i);
            latency.record(done - s.enqueuedNanos(), TimeUnit.NANOSECONDS);
            s.result().complete(results.get(i));
        }
    }

    private void failAll(List<Slot<I, O>> batch, Throwable t) {
        long done = System.nanoTime();
        for (Slot<I, O> s : batch) {
            latency.record(done - s.enqueuedNanos(), TimeUnit.NANOSECONDS);
            s.result().completeExceptionally(t);
        }
    }
}
