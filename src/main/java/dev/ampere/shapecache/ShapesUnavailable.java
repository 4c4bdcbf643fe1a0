package dev.ampere.shapecache;

/** The shape cache could not create or remove a shape right now; a retry may succeed (HTTP answers 503). */
public final class ShapesUnavailable extends RuntimeException {
    public ShapesUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
