package dev.ampere.shapes;

/** A shape definition that cannot be served; {@link #field()} is the request parameter it is about. */
public final class ShapeDefinitionException extends RuntimeException {
    private final String field;

    public ShapeDefinitionException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
