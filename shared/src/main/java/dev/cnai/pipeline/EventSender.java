package dev.cnai.pipeline;

import dev.cnai.events.OutgoingEvent;
import java.util.List;

/**
 * Sends a step's events onward (on a cluster: HTTP posts to the broker ingress named by {@code K_SINK}). It returns
 * only when every event was acknowledged, and throws otherwise; a step records the emission as confirmed only after
 * it returns (see {@link Outbox}).
 */
@FunctionalInterface
public interface EventSender {
    /** A sender for in-process drivers and tests: the events are handed back by the step and count as sent. */
    EventSender RETURNED = events -> { };

    void send(List<OutgoingEvent> events);
}
