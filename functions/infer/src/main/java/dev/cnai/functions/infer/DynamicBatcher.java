package dev.cnai.functions.infer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Triton-style dynamic batcher: concurrent requests wait in one bounded queue and are run together, up to
 * {@code maxBatchSize} rows per model call, by at most {@code instanceCount} runners at a time. A runner
 * takes what is queued when it becomes free, so under load batches grow by themselves and a lone request
 * is run at once; with {@code maxQueueDelay > 0} a runner holding a partial batch waits up to that long
 * (measured from the oldest request) for more. A full queue rejects at once with the exception
 * {@code overloaded} supplies: memory stays bounded by the queue size.
 *
 * <p>Results are Mutiny {@link Uni}s; runners are tasks on the given executor (the Quarkus worker pool),
 * never threads of their own. Metrics: {@code cnai.infer.batch.size} (rows per model call),
 * {@code cnai.infer.queue.time} (enqueue → batch start), {@code cnai.infer.queue.rejected},
 * gauge {@code cnai.infer.queue.depth}; all tagged {@code model}.
 *
 * @param <I> a request
 * @param <O> its result
 */
public final class DynamicBatcher<I, O> {

    /** Runs one batch; must complete or fail every slot (slots left open are failed by the batcher). */
    @FunctionalInterface
    public interface BatchRunner<I, O> {
        void run(List<Slot<I, O>> batch);
    }

    /** One queued request and the way to answer it. */
    public static final class Slot<I, O> {
        private final I input;
        private final int rows;
        private final long enqueuedNanos;
        private final UniEmitter<? super O> emitter;
        private boolean done;

        Slot(I input, int rows, UniEmitter<? super O> emitter) {
            this.input = input;
            this.rows = rows;
            this.emitter = emitter;
            this.enqueuedNanos = System.nanoTime();
        }

        public I input() {
            return input;
        }

        public int rows() {
            return rows;
        }

        public void complete(O result) {
            if (!done) {
                done = true;
                emitter.complete(result);
            }
        }

        public void fail(Throwable t) {
            if (!done) {
                done = true;
                emitter.fail(t);
            }
        }
    }

    private final BatchRunner<I, O> runner;
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
    private final Counter rejected;

    public DynamicBatcher(BatchRunner<I, O> runner, ToIntFunction<I> rowsOf, Supplier<RuntimeException> overloaded,
            Executor executor, ServingSetup.Batching config, MeterRegistry metrics, String model) {
        this.runner = runner;
        this.rowsOf = rowsOf;
        this.overloaded = overloaded;
        this.executor = executor;
        this.maxBatchSize = Math.max(1, config.maxBatchSize());
        this.maxQueueDelayNanos = TimeUnit.MICROSECONDS.toNanos(Math.max(0, config.maxQueueDelayMicroseconds()));
        this.instanceCount = Math.max(1, config.instanceCount());
        this.queue = new ArrayBlockingQueue<>(Math.max(1, config.maxQueueSize()));
        this.batchSize = DistributionSummary.builder("cnai.infer.batch.size").baseUnit("rows")
                .description("rows per ONNX Runtime call").tag("model", model).register(metrics);
        this.queueTime = Timer.builder("cnai.infer.queue.time").description("time from enqueue to batch start")
                .tag("model", model).register(metrics);
        this.rejected = Counter.builder("cnai.infer.queue.rejected").description("requests refused: queue full")
                .tag("model", model).register(metrics);
        Gauge.builder("cnai.infer.queue.depth", queue, ArrayBlockingQueue::size).tag("model", model)
                .description("requests waiting").register(metrics);
    }

    /** Queues {@code input}; the Uni fails with the overloaded exception when the queue is full. */
    public Uni<O> submit(I input) {
        return Uni.createFrom().emitter(em -> {
            Slot<I, O> slot = new Slot<>(input, rowsOf.applyAsInt(input), em);
            if (!queue.offer(slot)) {
                rejected.increment();
                em.fail(overloaded.get());
                return;
            }
            startRunner();
        });
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
                    long deadline = batch.get(0).enqueuedNanos + maxQueueDelayNanos;
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
            while ((next = queue.peek()) != null && (batch.isEmpty() || rows + next.rows <= maxBatchSize)) {
                batch.add(queue.poll());
                rows += next.rows;
            }
            return rows;
        } finally {
            take.unlock();
        }
    }

    private void run(List<Slot<I, O>> batch, int rows) {
        long start = System.nanoTime();
        for (Slot<I, O> s : batch) {
            queueTime.record(start - s.enqueuedNanos, TimeUnit.NANOSECONDS);
        }
        batchSize.record(rows);
        try {
            runner.run(batch);
        } catch (RuntimeException | Error e) {
            for (Slot<I, O> s : batch) {
                s.fail(e);
            }
            return;
        }
        for (Slot<I, O> s : batch) {
            s.fail(new IllegalStateException("the batch runner gave no result for this request"));
        }
    }
}
