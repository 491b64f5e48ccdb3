package dev.cnai.broker;

import java.nio.file.Path;
import java.util.Map;

/**
 * A Knative {@code Trigger} (eventing.knative.dev/v1) as far as the local broker uses it.
 *
 * @param name metadata.name
 * @param namespace metadata.namespace, or null
 * @param broker spec.broker
 * @param filter spec.filter.attributes: exact-match CloudEvent attributes (empty = every event)
 * @param subscriber spec.subscriber
 * @param delivery spec.delivery (defaults when absent)
 * @param file the manifest the Trigger was read from, or null
 */
public record Trigger(String name, String namespace, String broker, Map<String, String> filter,
        Destination subscriber, DeliverySpec delivery, Path file) {

    /** Creates a Trigger; the filter map is copied. */
    public Trigger {
        filter = Map.copyOf(filter);
    }

    /** True when events posted to {@code /<namespace>/<broker>} should reach this Trigger. */
    public boolean servesBroker(String requestNamespace, String requestBroker) {
        if (!broker.equals(requestBroker)) {
            return false;
        }
        return namespace == null || requestNamespace == null || namespace.equals(requestNamespace);
    }
}
