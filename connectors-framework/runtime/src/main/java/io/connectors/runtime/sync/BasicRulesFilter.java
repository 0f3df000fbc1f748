package io.connectors.runtime.sync;

import io.connectors.spi.SourceDocument;
import io.connectors.spi.rules.BasicRule;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Applies basic sync rules to a document: the first rule whose condition matches decides (include or exclude);
 * a document no rule matches is included. A field holding a list matches when any element matches; a missing or
 * null field matches no rule.
 */
public final class BasicRulesFilter {
    private final List<BasicRule> rules;
    private final Pattern[] patterns;

    public BasicRulesFilter(List<BasicRule> rules) {
        this.rules = List.copyOf(rules);
        this.patterns = new Pattern[this.rules.size()];
        for (int i = 0; i < patterns.length; i++) {
            BasicRule r = this.rules.get(i);
            if (r.condition() == BasicRule.Condition.REGEX) {
                patterns[i] = Pattern.compile(r.value());
            }
        }
    }

    public boolean includes(SourceDocument doc) {
        for (int i = 0; i < rules.size(); i++) {
            BasicRule rule = rules.get(i);
            Object value = lookup(doc.fields(), rule.field());
            if (matches(rule, patterns[i], value)) {
                return rule.policy() == BasicRule.Policy.INCLUDE;
            }
        }
        return true;
    }

    private static Object lookup(Map<String, Object> fields, String path) {
        if (fields.containsKey(path)) {
            return fields.get(path);
        }
        Object current = fields;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(part);
        }
        return current;
    }

    private static boolean matches(BasicRule rule, Pattern pattern, Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Collection<?> c) {
            for (Object item : c) {
                if (matches(rule, pattern, item)) {
                    return true;
                }
            }
            return false;
        }
        String text = value instanceof TemporalAccessor || value instanceof Number || value instanceof Boolean
                || value instanceof CharSequence ? value.toString() : String.valueOf(value);
        return switch (rule.condition()) {
            case EQUALS -> compare(value, text, rule.value()) == 0;
            case STARTS_WITH -> text.startsWith(rule.value());
            case ENDS_WITH -> text.endsWith(rule.value());
            case CONTAINS -> text.contains(rule.value());
            case REGEX -> pattern.matcher(text).matches();
            case LESS_THAN -> compare(value, text, rule.value()) < 0;
            case GREATER_THAN -> compare(value, text, rule.value()) > 0;
        };
    }

    /** Compares as numbers when both are numbers, as instants when both are dates, else as text. */
    private static int compare(Object value, String text, String ruleValue) {
        BigDecimal a = number(text);
        BigDecimal b = number(ruleValue);
        if (a != null && b != null) {
            return a.compareTo(b);
        }
        Instant x = instant(text);
        Instant y = instant(ruleValue);
        if (x != null && y != null) {
            return x.compareTo(y);
        }
        return text.compareTo(ruleValue);
    }

    private static BigDecimal number(String s) {
        try {
            return new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Instant instant(String s) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
