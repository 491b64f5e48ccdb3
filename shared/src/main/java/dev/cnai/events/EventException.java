package dev.cnai.events;

import dev.cnai.errors.CnaiException;
import dev.cnai.errors.ErrorKind;

/** A CloudEvent that cannot be accepted as sent. */
public final class EventException extends CnaiException {
    private EventException(ErrorKind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    public static EventException missingAttribute(String attribute) {
        return new EventException(ErrorKind.INVALID_INPUT, "CloudEvent attribute '" + attribute
                + "' is required (binary mode: header ce-" + attribute + "; structured mode: JSON member \""
                + attribute + "\")", null);
    }

    public static EventException invalid(String message) {
        return new EventException(ErrorKind.INVALID_INPUT, message, null);
    }

    public static EventException unsupportedSpecVersion(String specVersion) {
        return new EventException(ErrorKind.INVALID_INPUT, "CloudEvents specversion '" + specVersion
                + "' is not supported; use 1.0", null);
    }

    public static EventException unsupportedType(String type, java.util.Collection<String> accepted) {
        return new EventException(ErrorKind.INVALID_INPUT, "this function does not handle CloudEvent type '" + type
                + "'; it accepts " + String.join(", ", accepted), null);
    }

    public static EventException unsupportedContentType(String contentType) {
        return new EventException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "unsupported content type '" + contentType
                + "': send data as application/json (binary mode) or the whole event as "
                + "application/cloudevents+json (structured mode)", null);
    }

    public static EventException tooLarge(long size, long max) {
        return new EventException(ErrorKind.PAYLOAD_TOO_LARGE, "event of " + size + " bytes exceeds the limit of "
                + max + " bytes (cnai.events.max-bytes); events carry references to data, not the data itself", null);
    }

    /**
     * A CloudEvent attribute (or extension) longer than {@code cnai.events.max-attribute-length} characters.
     * Attributes become store keys, log lines and the attributes of emitted events, so they stay short.
     */
    public static EventException attributeTooLong(String attribute, int length, int max) {
        return new EventException(ErrorKind.PAYLOAD_TOO_LARGE, "CloudEvent attribute '" + attribute + "' is " + length
                + " characters long, over the limit of " + max + " (cnai.events.max-attribute-length); use a shorter "
                + attribute, null);
    }

    /**
     * Refuses {@code value} of {@code attribute} when it is longer than {@code max} characters.
     *
     * @throws EventException PAYLOAD_TOO_LARGE naming the attribute, the limit and its key
     */
    public static void checkAttribute(String attribute, String value, int max) {
        if (value != null && value.length() > max) {
            throw attributeTooLong(attribute, value.length(), max);
        }
    }

    public static EventException badJson(String type, String detail) {
        return new EventException(ErrorKind.INVALID_INPUT, "data of " + type + " is not valid JSON: " + detail, null);
    }

    public static EventException schema(String type, java.util.List<String> violations) {
        return new EventException(ErrorKind.INVALID_INPUT, "data of " + type + " does not match its schema (see docs/events.md): "
                + String.join("; ", violations), null);
    }
}
