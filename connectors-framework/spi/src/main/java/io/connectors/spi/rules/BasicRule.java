package io.connectors.spi.rules;

import java.util.Objects;

/**
 * One basic sync rule: documents whose {@code field} matches {@code condition value} are included or excluded.
 * The runtime evaluates an ordered list of them on every document; the first match wins, and a document no
 * rule matches is included.
 *
 * @param field     the document field the rule looks at (dotted path for nested fields)
 * @param policy    include or exclude on match
 * @param condition how {@code value} is compared
 * @param value     the value to compare with, as text
 */
public record BasicRule(String field, Policy policy, Condition condition, String value) {

    public BasicRule {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(value, "value");
    }

    /** What happens to a matching document. */
    public enum Policy { INCLUDE, EXCLUDE }

    /** How a field's value is compared with the rule's value. */
    public enum Condition { EQUALS, STARTS_WITH, ENDS_WITH, CONTAINS, REGEX, LESS_THAN, GREATER_THAN }
}
