package io.connectors.spi.rules;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The sync rules in force for one sync: basic rules (applied by the runtime to every source) and advanced rules
 * (source-specific, pushed down into the source's own query, validated by {@link AdvancedRulesValidator}).
 *
 * @param basic    ordered basic rules; first match wins; default include
 * @param advanced the source-specific advanced rules as JSON-compatible values; empty when none
 */
public record SyncRules(List<BasicRule> basic, Map<String, Object> advanced) {

    /** No rules: every document is synced. */
    public static final SyncRules NONE = new SyncRules(List.of(), Map.of());

    public SyncRules {
        basic = List.copyOf(Objects.requireNonNull(basic, "basic"));
        advanced = Map.copyOf(Objects.requireNonNull(advanced, "advanced"));
    }

    /** Whether there are advanced rules for the source to apply. */
    public boolean hasAdvanced() {
        return !advanced.isEmpty();
    }
}
