package dev.cnai.functions.support;

/**
 * Start-up work a function will certainly need, that does not depend on its configuration and may run before
 * Quarkus has booted: {@link FunctionMain} runs every {@code WarmUp} named in the function's
 * {@code META-INF/services/dev.cnai.functions.support.WarmUp} on a background thread while the main thread boots.
 * It must be safe to run concurrently with the boot and idempotent with the work the function does later anyway;
 * a failure only costs the time it would have saved (it is ignored: the function's own later use reports it).
 */
public interface WarmUp {
    /** Does the work; whatever it throws is ignored. */
    void warm() throws Exception;
}
