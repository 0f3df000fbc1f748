package io.connectors.runtime.es;

import java.util.Optional;

/**
 * The words for a 403 moved down to {@link io.connectors.runtime.util.PermissionDenied}, so that
 * {@code util.Failures} can use them without depending on this package. Kept for {@code sync.TargetIndex}, which is
 * being changed elsewhere; remove once it imports the util class.
 */
@Deprecated(forRemoval = true)
public final class PermissionDenied {
    private PermissionDenied() {
    }

    /** @see io.connectors.runtime.util.PermissionDenied#describe(String) */
    public static Optional<String> describe(String reason) {
        return io.connectors.runtime.util.PermissionDenied.describe(reason);
    }
}
