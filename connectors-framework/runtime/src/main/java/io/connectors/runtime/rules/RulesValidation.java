package io.connectors.runtime.rules;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of validating a set of sync rules.
 *
 * @param state    {@link State#DRAFT} until validated, then {@link State#VALID} or {@link State#INVALID}
 * @param messages what is wrong, one message per problem, each naming the rule; empty when valid
 */
public record RulesValidation(State state, List<String> messages) {

    /** Where a set of rules stands; stored and shown in lower case ({@code draft}, {@code valid}, {@code invalid}). */
    public enum State { DRAFT, VALID, INVALID }

    public RulesValidation {
        Objects.requireNonNull(state, "state");
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
    }

    /** Valid, no messages. */
    public static RulesValidation valid() {
        return new RulesValidation(State.VALID, List.of());
    }

    /** Invalid for these reasons. */
    public static RulesValidation invalid(List<String> messages) {
        return new RulesValidation(State.INVALID, messages);
    }

    /** Whether the rules may be used by a sync. */
    public boolean isValid() {
        return state == State.VALID;
    }
}
