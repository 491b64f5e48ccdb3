package dev.cnai.functions.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Runs the function's {@link WarmUp}s, and initialises Jackson, on a background thread while the main thread boots
 * Quarkus. The {@code ServiceLoader} lookup also opens every class-path jar (the application class loader reads a
 * jar's central directory the first time a lookup reaches it), which the boot's own first lookup would otherwise do
 * on the main thread. Only with a second processor (under a CPU limit of one there is nothing to overlap) and unless
 * {@code -Dcnai.startup.warm=false}.
 */
final class StartupWarmer implements Runnable {
    private final Iterable<WarmUp> warmUps;

    StartupWarmer(Iterable<WarmUp> warmUps) {
        this.warmUps = warmUps;
    }

    static void startIfUseful() {
        if (Runtime.getRuntime().availableProcessors() < 2 || "false".equals(System.getProperty("cnai.startup.warm"))) {
            return;
        }
        ServiceLoader<WarmUp> named = ServiceLoader.load(WarmUp.class, StartupWarmer.class.getClassLoader());
        Thread thread = new Thread(new StartupWarmer(named), "cnai-startup-warmer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        for (WarmUp warmUp : warmUps) {
            try {
                warmUp.warm();
            } catch (Exception | LinkageError e) {
                // timing only: the function does the same work later and reports its own failures (no logging
                // here: this may run before Quarkus has set up its log manager)
            }
        }
        try {
            ObjectMapper mapper = new ObjectMapper();
            mapper.readValue(mapper.writeValueAsBytes(Map.of("warm", 1)), Map.class);
        } catch (Exception e) {
            // timing only: the boot creates its own mapper and reports its own failures
        }
    }
}
