package dev.cnai.functions.support;

import dev.cnai.energy.EnergyConfig;
import dev.cnai.energy.EnergyLedger;
import dev.cnai.energy.EnergyMeter;
import dev.cnai.energy.StepEnergy;
import dev.cnai.energy.Usage;
import dev.cnai.storage.ObjectStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * What each handled event cost: the {@link CloudEventGate} starts a measurement when it accepts an event and ends it
 * when the response has been sent (the step's work and its emissions included). Exports
 * {@code cnai.step.cpu.seconds} (tag {@code function}) and {@code cnai.energy.joules} (tags {@code function},
 * {@code source} = {@code rapl}|{@code estimate}) for every event, and records a successfully handled event of a run
 * in the store ({@link EnergyLedger}), written off the event loop.
 */
@ApplicationScoped
public class EnergyRecorder {
    private static final Logger LOG = Logger.getLogger(EnergyRecorder.class);

    private final FunctionConfig config;
    private final MeterRegistry registry;
    private final ObjectStore store;
    private final EnergyMeter meter;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cnai-energy-ledger");
        t.setDaemon(true);
        return t;
    });

    public EnergyRecorder(FunctionConfig config, MeterRegistry registry, ObjectStore store) {
        this.config = config;
        this.registry = registry;
        this.store = store;
        FunctionConfig.Energy e = config.energy();
        this.meter = EnergyMeter.open(new EnergyConfig(e.wattsPerCore(), Path.of(e.powercap()),
                EnergyConfig.DEFAULT_PROC_STAT));
    }

    void logStart(@Observes StartupEvent ev) {
        LOG.infof("energy per event: %s", meter.method());
    }

    /** Starts measuring an accepted event. */
    EnergyMeter.Measurement start() {
        return meter.start();
    }

    /** Ends the measurement of {@code in}, answered with {@code status}: metrics always, a store record on success. */
    void finish(EnergyMeter.Measurement m, IncomingEvent in, int status, long startedAtMillis) {
        Usage u = m.stop();
        String function = config.function();
        Counter.builder("cnai.step.cpu.seconds").baseUnit("seconds")
                .description("Process CPU time spent handling events (shared among concurrent ones)")
                .tag("function", function).register(registry).increment(u.cpuSeconds());
        Counter.builder("cnai.energy.joules").description("Energy attributed to handling events: RAPL-measured or "
                        + "estimated from CPU time (docs/operations.md#energy)")
                .tags("function", function, "source", u.source().wireName()).register(registry).increment(u.joules());
        String runId = in.data() == null ? null : in.data().runId();
        if (status >= 300 || runId == null || runId.isBlank() || !config.energy().record()) {
            return;
        }
        StepEnergy e = new StepEnergy(runId, function, in.type(), in.id(), EnergyLedger.round(in.data()),
                EnergyLedger.shard(in.data()), startedAtMillis, u.wallNanos() / 1e9, u.cpuSeconds(), u.joules(),
                u.source(), meter.method());
        writer.execute(() -> {
            try {
                new EnergyLedger(store).record(e);
            } catch (RuntimeException ex) {
                LOG.warnf("energy record of %s %s not written: %s", in.type(), in.id(), ex.getMessage());
            }
        });
    }

    @PreDestroy
    void close() throws InterruptedException {
        writer.shutdown();
        writer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
