package io.connectors.runtime.rules;

import io.connectors.runtime.util.Failures;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.rules.AdvancedRulesValidator;
import io.connectors.spi.rules.BasicRule;
import io.connectors.spi.rules.SyncRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Checks what sync rules mean, beyond the shape {@link SyncRulesCodec} checks: basic rules in the runtime, advanced
 * rules by the source itself ({@link AdvancedRulesValidator}).
 */
public final class SyncRulesValidator {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRulesValidator.class);

    private SyncRulesValidator() {
    }

    /**
     * Validates the basic and the advanced rules. Advanced rules, when there are any, need a source implementing
     * {@link AdvancedRulesValidator} (else the rules are invalid: "source type X does not support advanced sync
     * rules"); its messages are added, prefixed with {@code advanced: }, and an error signalled by its validation
     * makes the rules invalid with the error's message.
     *
     * <p>Lazy (the source is asked only on subscription). Never fails: every problem, the source's errors
     * included, ends up as an {@link RulesValidation.State#INVALID} result; never emits
     * {@link RulesValidation.State#DRAFT}.
     *
     * @param rules      the rules to check
     * @param source     the connector's source, asked to validate advanced rules; may be {@code null} when there
     *                   are none
     * @param sourceType the source type, for messages
     */
    public static Mono<RulesValidation> validate(SyncRules rules, BaseDataSource source, String sourceType) {
        Objects.requireNonNull(rules, "rules");
        return Mono.defer(() -> {
            List<String> basic = validateBasic(rules);
            if (!rules.hasAdvanced()) {
                return Mono.just(outcome(basic, List.of()));
            }
            if (!(source instanceof AdvancedRulesValidator validator)) {
                return Mono.just(outcome(basic,
                        List.of("source type " + sourceType + " does not support advanced sync rules")));
            }
            return Mono.defer(() -> validator.validateAdvancedRules(rules.advanced()))
                    .defaultIfEmpty(List.of())
                    .map(found -> {
                        List<String> advanced = new ArrayList<>(found.size());
                        for (String m : found) {
                            advanced.add("advanced: " + (m == null || m.isBlank() ? "invalid (no reason given)" : m));
                        }
                        return outcome(basic, advanced);
                    })
                    .onErrorResume(e -> {
                        // Not swallowed: the rules are marked invalid with this message, and it is logged.
                        String message = Failures.describe(e);
                        LOG.warn("Source type {}: validating advanced sync rules failed: {}", sourceType, message);
                        LOG.debug("Advanced sync rules validation failure", e);
                        return Mono.just(outcome(basic, List.of("advanced: could not be validated: " + message)));
                    });
        });
    }

    /**
     * Validates the basic rules alone, without a source (as {@code connectors config check --offline} does).
     * Each message names the rule by position, field and rule, e.g.
     * {@code "basic[1] (field path, regex): Unclosed group near index 3"}:
     * <ul>
     *   <li>the field is blank;</li>
     *   <li>a regular expression does not compile;</li>
     *   <li>a {@code less_than} or {@code greater_than} value is blank;</li>
     *   <li>a rule has the same field, rule and value as an earlier one but the other policy: the earlier one
     *       always matches first, so this one never applies.</li>
     * </ul>
     *
     * @return the problems, empty when the basic rules are valid
     */
    public static List<String> validateBasic(SyncRules rules) {
        List<String> messages = new ArrayList<>();
        Map<Match, Integer> seen = new HashMap<>();
        List<BasicRule> basic = rules.basic();
        for (int i = 0; i < basic.size(); i++) {
            BasicRule r = basic.get(i);
            String label = label(i, r);
            if (r.field().isBlank()) {
                messages.add(label + ": the field must not be blank");
            }
            switch (r.condition()) {
                case REGEX -> {
                    try {
                        Pattern.compile(r.value());
                    } catch (PatternSyntaxException e) {
                        messages.add(label + ": " + e.getDescription()
                                + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
                    }
                }
                case LESS_THAN, GREATER_THAN -> {
                    if (r.value().isBlank()) {
                        messages.add(label + ": the value must not be blank for "
                                + SyncRulesCodec.name(r.condition()));
                    }
                }
                default -> {
                    // Any text is a valid value for the other conditions, empty text included.
                }
            }
            Match match = new Match(r.field(), r.condition(), r.value());
            Integer earlier = seen.putIfAbsent(match, i);
            if (earlier != null && basic.get(earlier).policy() != r.policy()) {
                messages.add(label + ": " + SyncRulesCodec.name(r.policy()) + "s what basic[" + earlier + "] "
                        + SyncRulesCodec.name(basic.get(earlier).policy()) + "s (same field, rule and value); "
                        + "the first matching rule wins, so this one never applies");
            }
        }
        return messages;
    }

    private record Match(String field, BasicRule.Condition condition, String value) {
    }

    private static String label(int i, BasicRule r) {
        String rule = SyncRulesCodec.name(r.condition());
        return "basic[" + i + "] (" + (r.field().isBlank() ? rule : "field " + r.field() + ", " + rule) + ")";
    }

    private static RulesValidation outcome(List<String> basic, List<String> advanced) {
        if (basic.isEmpty() && advanced.isEmpty()) {
            return RulesValidation.valid();
        }
        List<String> all = new ArrayList<>(basic.size() + advanced.size());
        all.addAll(basic);
        all.addAll(advanced);
        return RulesValidation.invalid(all);
    }

}
