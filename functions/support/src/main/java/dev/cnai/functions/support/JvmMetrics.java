package dev.cnai.functions.support;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.quarkus.micrometer.runtime.binder.JVMInfoBinder;
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The JVM and process meters Quarkus's {@code jvm} and {@code system} binders would register ({@code jvm_memory_*},
 * {@code jvm_gc_*}, {@code jvm_threads_*}, {@code jvm_classes_*}, {@code jvm_info}, {@code process_uptime_seconds},
 * {@code process_files_*}, {@code system_cpu_*}, {@code system_load_average_1m}), bound on a background thread
 * {@value #DELAY_MS} ms after start-up instead of on the main thread during it: binding them reaches the management
 * beans and probes the class path for vendor MXBeans, 35–50 ms of a ~0.6 s start (JFR, issue 15), and a function
 * that scaled to zero is started for the request that woke it. Those binders are off in
 * {@code microprofile-config.properties}; a scrape in the first second after start simply lacks these meters.
 */
@Singleton
public class JvmMetrics {
    static final long DELAY_MS = 1000;
    private static final Logger LOG = Logger.getLogger(JvmMetrics.class);
    private volatile Thread binder;
    private volatile JvmGcMetrics gc;
    private volatile JvmHeapPressureMetrics heapPressure;

    void bindLater(@Observes StartupEvent started, MeterRegistry registry) {
        Thread thread = new Thread(() -> bind(registry), "cnai-jvm-metrics");
        thread.setDaemon(true);
        binder = thread;
        thread.start();
    }

    private void bind(MeterRegistry registry) {
        try {
            TimeUnit.MILLISECONDS.sleep(DELAY_MS);
        } catch (InterruptedException e) {
            return; // shutting down
        }
        // both register GC notification listeners (the heap-pressure one in its constructor): made here, closed at stop
        heapPressure = new JvmHeapPressureMetrics();
        List<MeterBinder> binders = new ArrayList<>(List.of(new ClassLoaderMetrics(), heapPressure,
                new JvmMemoryMetrics(), new JvmThreadMetrics(), new JVMInfoBinder(), new UptimeMetrics(),
                new ProcessorMetrics(), new FileDescriptorMetrics()));
        if (ImageMode.current() == ImageMode.JVM) { // as Quarkus's binder: no GC notifications in a native image
            gc = new JvmGcMetrics();
            binders.add(gc);
        }
        for (MeterBinder b : binders) {
            try {
                b.bindTo(registry);
            } catch (RuntimeException e) {
                LOG.warnf("JVM meters of %s not bound: %s", b.getClass().getSimpleName(), e.toString());
            }
        }
    }

    void close(@Observes ShutdownEvent stopping) {
        Thread thread = binder;
        if (thread != null) {
            thread.interrupt();
        }
        if (gc != null) {
            gc.close();
        }
        if (heapPressure != null) {
            heapPressure.close();
        }
    }
}
