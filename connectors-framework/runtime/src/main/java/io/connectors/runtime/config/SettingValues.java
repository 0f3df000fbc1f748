package io.connectors.runtime.config;

import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.FieldError;
import io.connectors.spi.config.SourceConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The bound values of the runtime settings: each {@link SettingsGroup} validated against its declarations (types,
 * bounds, defaults) with {@link SourceConfig}, exactly as a source's configuration is. A group with a wrong value has
 * no values here; its problems, each named by full key, are in {@link #problems()}.
 */
public final class SettingValues {
    private final Map<String, SourceConfig> byGroup = new HashMap<>();
    private final List<String> problems;

    /**
     * @param raw      the raw value of each setting given, by full key; settings not given take their defaults
     * @param origin   where a key's value came from when not the file (an environment variable's name), for messages
     * @param problems where problems are added, each as {@code key: message}
     */
    SettingValues(Map<String, Object> raw, Function<String, String> origin, List<String> problems) {
        this.problems = problems;
        for (SettingsGroup group : RuntimeSettings.GROUPS) {
            Map<String, Object> given = new HashMap<>();
            group.fields().forEach(f -> {
                Object value = raw.get(group.key(f));
                if (value != null) {
                    given.put(f.name(), value);
                }
            });
            try {
                byGroup.put(group.path(), SourceConfig.from(group.fields(), given));
            } catch (ConfigValidationException e) {
                for (FieldError error : e.errors()) {
                    String key = group.path() + "." + error.field();
                    String from = origin.apply(key);
                    problems.add(key + ": " + error.message() + (from == null ? "" : " (from " + from + ")"));
                }
            }
        }
    }

    /** Every setting at its default. */
    public static SettingValues defaults() {
        List<String> problems = new java.util.ArrayList<>();
        SettingValues values = new SettingValues(Map.of(), key -> null, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("a runtime setting's default is invalid: " + problems);
        }
        return values;
    }

    /** Whether every group of {@code groups} was bound without a problem. */
    boolean bound(SettingsGroup... groups) {
        for (SettingsGroup g : groups) {
            if (!byGroup.containsKey(g.path())) {
                return false;
            }
        }
        return true;
    }

    /** The values of {@code group}. */
    SourceConfig of(SettingsGroup group) {
        SourceConfig config = byGroup.get(group.path());
        if (config == null) {
            throw new IllegalStateException("settings group " + group.path() + " has problems; check bound() first");
        }
        return config;
    }

    /** Reports a problem found across settings or outside them (a file that cannot be read); starts with the key. */
    void problem(String message) {
        problems.add(message);
    }

    /**
     * Builds a settings record whose constructor holds the rules that span several settings (two that contradict each
     * other); its {@link IllegalArgumentException}, whose message starts with the key, becomes a problem.
     *
     * @return the record, or {@code null} when its constructor refused the values
     */
    <T> T build(java.util.function.Supplier<T> record) {
        try {
            return record.get();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /** Problems so far. */
    List<String> problems() {
        return problems;
    }
}
