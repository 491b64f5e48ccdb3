package dev.cnai.errors;

/**
 * Base of every domain exception in CNAI Functions. Each domain (storage, data, training, onnx,
 * registry, events) has one subclass with factory methods; the {@link ErrorKind} decides the HTTP
 * status in exactly one place (the function support module's error mapping).
 */
public class CnaiException extends RuntimeException {
    private final ErrorKind kind;

    public CnaiException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public CnaiException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }
}
