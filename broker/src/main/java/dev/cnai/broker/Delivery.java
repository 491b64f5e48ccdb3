package dev.cnai.broker;

import io.cloudevents.CloudEvent;
import java.net.URI;

/**
 * One delivery of one event to one Trigger's subscriber (or, {@code toDeadLetterSink}, to its dead-letter sink);
 * {@code copy} is 1 for a duplicate injected by {@link Faults}.
 */
record Delivery(long id, Trigger trigger, CloudEvent event, LocalBroker.Scope scope, int hops, URI target,
        boolean toDeadLetterSink, int copy) {

    /** The Trigger's name, marked when this is a dead-letter sink post. */
    String who() {
        return toDeadLetterSink ? trigger.name() + " (dead-letter sink)" : trigger.name();
    }

    /** The Knative Service name this delivery goes to, or null for a plain URI. */
    String serviceName() {
        Destination dest = toDeadLetterSink ? trigger.delivery().deadLetterSink() : trigger.subscriber();
        return dest == null || !dest.hasRef() ? null : dest.refName();
    }

    /** The same delivery to another URL (the next replica of its subscriber, for a retry). */
    Delivery withTarget(URI other) {
        return new Delivery(id, trigger, event, scope, hops, other, toDeadLetterSink, copy);
    }
}
