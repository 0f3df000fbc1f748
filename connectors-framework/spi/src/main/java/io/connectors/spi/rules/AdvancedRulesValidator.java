package io.connectors.spi.rules;

import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/** Capability: the source accepts advanced sync rules and can validate them before a sync uses them. */
public interface AdvancedRulesValidator {

    /**
     * Validates advanced rules. Lazy; may contact the backend (to check that a table exists, say). Emits the
     * problems found, empty when the rules are valid; fails only if validation itself could not run.
     */
    Mono<List<String>> validateAdvancedRules(Map<String, Object> advanced);
}
