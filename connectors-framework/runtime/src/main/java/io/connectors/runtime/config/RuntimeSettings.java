package io.connectors.runtime.config;

import io.connectors.spi.config.ConfigField;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every group of runtime settings, in the order of the configuration reference. The declarations themselves live in
 * the settings records that carry their values; adding a setting to a group is one {@link ConfigField} in that
 * record's group and its use in the record's {@code from} (docs/DEVELOPING.md, "Adding a runtime setting").
 */
public final class RuntimeSettings {
    /** The introduction of the top-level {@code connectors} key in the configuration reference. */
    public static final String CONNECTORS_DESCRIPTION = "The connectors: a list of mappings with the keys below.";

    /** Every group, parents before their sub-groups. */
    public static final List<SettingsGroup> GROUPS = List.of(
            ElasticsearchSettings.GROUP, ElasticsearchSettings.POOL, ElasticsearchSettings.TIMEOUTS,
            EmbeddedElasticsearchSettings.GROUP,
            BulkSinkSettings.GROUP, BulkSinkSettings.ERROR_BREAKER,
            SyncSettings.GROUP,
            ExtractionSettings.GROUP,
            DaemonSettings.GROUP, OpsSettings.GROUP,
            DaemonSettings.STATE,
            NetworkSettings.GROUP);

    private RuntimeSettings() {
    }

    /** Every setting by its full key ({@code bulk.max_actions}), in reference order. */
    public static Map<String, ConfigField> byKey() {
        Map<String, ConfigField> out = new LinkedHashMap<>();
        for (SettingsGroup group : GROUPS) {
            for (ConfigField field : group.fields()) {
                if (out.put(group.key(field), field) != null) {
                    throw new IllegalStateException("runtime setting declared twice: " + group.key(field));
                }
            }
        }
        return out;
    }

    /** The group of {@code path}, if one is declared. */
    static SettingsGroup group(String path) {
        return GROUPS.stream().filter(g -> g.path().equals(path)).findFirst().orElse(null);
    }
}
