package io.connectors.spi;

import java.util.Map;
import java.util.Objects;

/**
 * A part of a full read, as a {@link SplittableSource} planned it: a key range of a table, a subtree of a directory.
 *
 * @param id          unique in its plan, short and stable (it names the split in job records and logs: {@code
 *                    public.items#3})
 * @param description what it covers, for operators ({@code public.items id in [25000, 50000)})
 * @param values      what the source needs to read it again, JSON-compatible (maps, lists, strings, numbers,
 *                    booleans, null)
 */
public record SourceSplit(String id, String description, Map<String, Object> values) {
    public SourceSplit {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("a split id must not be blank");
        }
        description = description == null ? id : description;
        values = values == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }
}
