package dev.cnai.broker;

import io.cloudevents.CloudEvent;
import java.util.Map;

/**
 * Knative Trigger filter semantics ({@code spec.filter.attributes}): every listed attribute (context attribute
 * or extension) must be present on the event with exactly the given value; an empty filter matches everything.
 * As in Knative, an attribute listed with the empty string as its value matches any value.
 */
public final class Filter {

    private Filter() {
    }

    /** True when {@code event} satisfies every entry of {@code filter}. */
    public static boolean matches(Map<String, String> filter, CloudEvent event) {
        if (filter.isEmpty()) {
            return true;
        }
        Map<String, String> attrs = Events.attributes(event);
        for (Map.Entry<String, String> f : filter.entrySet()) {
            if (f.getValue().isEmpty()) {
                continue;
            }
            String actual = attrs.get(f.getKey().toLowerCase(java.util.Locale.ROOT));
            if (actual == null || !actual.equals(f.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code trigger}'s filter matches {@code event}. */
    public static boolean matches(Trigger trigger, CloudEvent event) {
        return matches(trigger.filter(), event);
    }
}
