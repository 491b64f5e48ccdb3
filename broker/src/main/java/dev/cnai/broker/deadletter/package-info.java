/**
 * The dead-letter sink, a production image of its own ({@code gpu-runtime-image/Dockerfile.dead-letter} runs
 * {@link dev.cnai.broker.deadletter.DeadLetterMain}): it keeps every event it is sent and depends on nothing of the
 * local broker but {@link dev.cnai.broker.Events} and the shared command-line settings.
 */
package dev.cnai.broker.deadletter;
