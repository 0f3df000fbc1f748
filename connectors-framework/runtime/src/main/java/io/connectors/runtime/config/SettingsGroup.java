package io.connectors.runtime.config;

import io.connectors.spi.config.ConfigField;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Runtime settings under one key path, declared with the same {@link ConfigField}s sources use: each field's name
 * (the last part of its key), type, default, bounds, sensitivity and meaning are stated once, in the settings record
 * that carries the values ({@link BulkSinkSettings#GROUP} and so on). {@link RuntimeSettings#GROUPS} lists every group;
 * binding, validation, environment variables and {@code docs/CONFIG.md} all come from these declarations.
 *
 * @param path        the key path of the group, {@code bulk} or {@code bulk.error_breaker}
 * @param description the group's introduction in the configuration reference (Markdown; links relative to
 *                    {@code docs/}); empty for none
 * @param fields      its settings, in the order the reference lists them
 */
public record SettingsGroup(String path, String description, List<ConfigField> fields) {

    public SettingsGroup {
        Objects.requireNonNull(path, "path");
        description = description == null ? "" : description;
        fields = List.copyOf(fields);
    }

    /** The full key of one of this group's fields: {@code bulk.max_actions}. */
    public String key(ConfigField field) {
        return path + "." + field.name();
    }

    /** The environment variable that overrides the key {@code key}: {@code CONNECTORS_BULK_MAX_ACTIONS}. */
    public static String environmentVariable(String key) {
        return "CONNECTORS_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }
}
