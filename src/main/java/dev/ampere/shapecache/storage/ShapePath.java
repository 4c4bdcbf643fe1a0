package dev.ampere.shapecache.storage;

import java.nio.file.Path;

/**
 * Where one shape's files live, derived on each use from the stack's layout and the handle rather than kept as a
 * {@link Path}: an idle shape then holds this small object (shared by its storage, snapshot chunks and log) instead
 * of a path's bytes and its cached string. The handle is checked by {@link ShapeLayout#shapeDir} once, when the
 * shape's storage is created or recovered.
 *
 * <p>Immutable.
 */
record ShapePath(ShapeLayout layout, String handle) {
    /** The shape's directory, as {@link ShapeLayout#shapeDir} gives it. */
    Path dir() {
        return layout.stackDir().resolve(ShapeLayout.prefix(handle)).resolve(handle);
    }

    /** The directory of the shape's main log (its Chronicle queue). */
    Path logDir() {
        return dir().resolve(ShapeLayout.LOG_DIR);
    }
}
