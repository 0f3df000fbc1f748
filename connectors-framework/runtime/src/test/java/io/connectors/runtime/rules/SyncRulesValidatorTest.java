package io.connectors.runtime.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.SourceDocument;
import io.connectors.spi.SourceException;
import io.connectors.spi.rules.AdvancedRulesValidator;
import io.connectors.spi.rules.BasicRule.Condition;
import io.connectors.spi.rules.BasicRule.Policy;
import io.connectors.spi.rules.BasicRule;
import io.connectors.spi.rules.SyncRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.PublisherProbe;

class SyncRulesValidatorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Map<String, Object> ADVANCED = Map.of("query", Map.of("status", "published"));

    // ---------------------------------------------------------------- basic rules

    @Test
    void validBasicRulesOfEveryCondition() {
        List<BasicRule> basic = new ArrayList<>();
        for (Condition c : Condition.values()) {
            basic.add(new BasicRule("f", Policy.INCLUDE, c, c == Condition.REGEX ? "a(b|c)*" : "5"));
        }
        // Equal matches with equal policies are redundant, not conflicting; empty text is a valid equals value.
        basic.add(new BasicRule("f", Policy.INCLUDE, Condition.EQUALS, "5"));
        basic.add(new BasicRule("g", Policy.EXCLUDE, Condition.EQUALS, ""));
        basic.add(new BasicRule("g", Policy.EXCLUDE, Condition.STARTS_WITH, ""));

        assertThat(SyncRulesValidator.validateBasic(new SyncRules(basic, Map.of()))).isEmpty();
        assertThat(SyncRulesValidator.validateBasic(SyncRules.NONE)).isEmpty();
    }

    @Test
    void aRegexThatDoesNotCompileIsReportedWithItsPosition() {
        SyncRules rules = basic(
                new BasicRule("path", Policy.EXCLUDE, Condition.STARTS_WITH, "drafts/"),
                new BasicRule("path", Policy.EXCLUDE, Condition.REGEX, "(abc"));
        PatternSyntaxException expected = compileError("(abc");

        assertThat(SyncRulesValidator.validateBasic(rules)).containsExactly(
                "basic[1] (field path, regex): " + expected.getDescription() + " near index " + expected.getIndex());
        assertThat(SyncRulesValidator.validateBasic(rules).get(0)).startsWith("basic[1] (field path, regex): Unclosed group near index ");
    }

    @Test
    void otherRegexErrors() {
        SyncRules rules = basic(
                new BasicRule("a", Policy.INCLUDE, Condition.REGEX, "*x"),
                new BasicRule("b", Policy.INCLUDE, Condition.REGEX, "[z-a]"),
                new BasicRule("c", Policy.INCLUDE, Condition.REGEX, "x{2,1}"));

        assertThat(SyncRulesValidator.validateBasic(rules)).hasSize(3)
                .satisfiesExactly(
                        m -> assertThat(m).startsWith("basic[0] (field a, regex): Dangling meta character '*'"),
                        m -> assertThat(m).startsWith("basic[1] (field b, regex): Illegal character range"),
                        m -> assertThat(m).startsWith("basic[2] (field c, regex): Illegal repetition range"));
    }

    @Test
    void blankFieldIsReported() {
        SyncRules rules = basic(
                new BasicRule(" ", Policy.INCLUDE, Condition.EQUALS, "x"),
                new BasicRule("", Policy.EXCLUDE, Condition.CONTAINS, "y"));

        assertThat(SyncRulesValidator.validateBasic(rules)).containsExactly(
                "basic[0] (equals): the field must not be blank",
                "basic[1] (contains): the field must not be blank");
    }

    @Test
    void blankComparisonValuesAreReported() {
        SyncRules rules = basic(
                new BasicRule("size", Policy.INCLUDE, Condition.LESS_THAN, ""),
                new BasicRule("size", Policy.INCLUDE, Condition.GREATER_THAN, "  "),
                new BasicRule("size", Policy.INCLUDE, Condition.GREATER_THAN, "10"));

        assertThat(SyncRulesValidator.validateBasic(rules)).containsExactly(
                "basic[0] (field size, less_than): the value must not be blank for less_than",
                "basic[1] (field size, greater_than): the value must not be blank for greater_than");
    }

    @Test
    void theSameMatchBothIncludedAndExcludedIsAConflict() {
        SyncRules rules = basic(
                new BasicRule("path", Policy.INCLUDE, Condition.STARTS_WITH, "docs/"),
                new BasicRule("ext", Policy.EXCLUDE, Condition.EQUALS, "tmp"),
                new BasicRule("path", Policy.EXCLUDE, Condition.STARTS_WITH, "docs/"),
                new BasicRule("ext", Policy.INCLUDE, Condition.EQUALS, "tmp"),
                // Same field and value, another rule: not the same match.
                new BasicRule("path", Policy.EXCLUDE, Condition.CONTAINS, "docs/"),
                // Same field and rule, another value.
                new BasicRule("path", Policy.EXCLUDE, Condition.STARTS_WITH, "docs"));

        assertThat(SyncRulesValidator.validateBasic(rules)).containsExactly(
                "basic[2] (field path, starts_with): excludes what basic[0] includes (same field, rule and value); "
                        + "the first matching rule wins, so this one never applies",
                "basic[3] (field ext, equals): includes what basic[1] excludes (same field, rule and value); "
                        + "the first matching rule wins, so this one never applies");
    }

    @Test
    void everyProblemOfOneRuleIsReported() {
        SyncRules rules = basic(
                new BasicRule("x", Policy.INCLUDE, Condition.REGEX, "[a"),
                new BasicRule("", Policy.EXCLUDE, Condition.REGEX, "[a"));

        assertThat(SyncRulesValidator.validateBasic(rules)).hasSize(3)
                .satisfiesExactly(
                        m -> assertThat(m).startsWith("basic[0] (field x, regex): Unclosed character class"),
                        m -> assertThat(m).isEqualTo("basic[1] (regex): the field must not be blank"),
                        m -> assertThat(m).startsWith("basic[1] (regex): Unclosed character class"));
    }

    // ---------------------------------------------------------------- both kinds, with the source

    @Test
    void validRulesWithoutAdvancedNeedNoSourceCapability() {
        SyncRules rules = basic(new BasicRule("path", Policy.EXCLUDE, Condition.STARTS_WITH, "drafts/"));

        SyncRulesValidator.validate(rules, new PlainSource(), "directory")
                .as(StepVerifier::create)
                .expectNext(RulesValidation.valid())
                .expectComplete()
                .verify(TIMEOUT);
        SyncRulesValidator.validate(SyncRules.NONE, null, "directory")
                .as(StepVerifier::create)
                .assertNext(r -> assertThat(r.isValid()).isTrue())
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void invalidBasicRulesMakeTheRulesInvalid() {
        SyncRules rules = basic(new BasicRule("path", Policy.EXCLUDE, Condition.LESS_THAN, ""));

        SyncRulesValidator.validate(rules, new PlainSource(), "directory")
                .as(StepVerifier::create)
                .expectNext(new RulesValidation(RulesValidation.State.INVALID,
                        List.of("basic[0] (field path, less_than): the value must not be blank for less_than")))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void advancedRulesNeedASourceThatValidatesThem() {
        SyncRules rules = new SyncRules(List.of(), ADVANCED);

        SyncRulesValidator.validate(rules, new PlainSource(), "directory")
                .as(StepVerifier::create)
                .expectNext(RulesValidation.invalid(List.of("source type directory does not support advanced sync rules")))
                .expectComplete()
                .verify(TIMEOUT);
        SyncRulesValidator.validate(rules, null, "directory")
                .as(StepVerifier::create)
                .assertNext(r -> assertThat(r.state()).isEqualTo(RulesValidation.State.INVALID))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void advancedRulesTheSourceAccepts() {
        ValidatingSource source = new ValidatingSource(advanced -> Mono.just(List.of()));

        SyncRulesValidator.validate(new SyncRules(List.of(), ADVANCED), source, "mongodb")
                .as(StepVerifier::create)
                .expectNext(RulesValidation.valid())
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(source.seen).containsExactly(ADVANCED);
    }

    @Test
    void anEmptyAnswerFromTheSourceMeansValid() {
        ValidatingSource source = new ValidatingSource(advanced -> Mono.empty());

        SyncRulesValidator.validate(new SyncRules(List.of(), ADVANCED), source, "mongodb")
                .as(StepVerifier::create)
                .expectNext(RulesValidation.valid())
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void theSourcesMessagesFollowTheBasicOnes() {
        ValidatingSource source = new ValidatingSource(advanced ->
                Mono.just(Arrays.asList("collection 'orders' does not exist", null)));
        SyncRules rules = new SyncRules(List.of(new BasicRule("", Policy.INCLUDE, Condition.EQUALS, "x")), ADVANCED);

        SyncRulesValidator.validate(rules, source, "mongodb")
                .as(StepVerifier::create)
                .expectNext(RulesValidation.invalid(List.of(
                        "basic[0] (equals): the field must not be blank",
                        "advanced: collection 'orders' does not exist",
                        "advanced: invalid (no reason given)")))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void anErrorOfTheSourcesValidationMakesTheRulesInvalid() {
        ValidatingSource source = new ValidatingSource(advanced ->
                Mono.error(new SourceException("cannot reach mongodb://db:27017")));

        SyncRulesValidator.validate(new SyncRules(List.of(), ADVANCED), source, "mongodb")
                .as(StepVerifier::create)
                .expectNext(RulesValidation.invalid(List.of("advanced: could not be validated: cannot reach mongodb://db:27017")))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void aSourceThatThrowsOrAnswersNullStillGivesAResult() {
        ValidatingSource throwing = new ValidatingSource(advanced -> {
            throw new IllegalStateException("bug in the source");
        });
        ValidatingSource answeringNull = new ValidatingSource(advanced -> null);
        ValidatingSource failingWithoutMessage = new ValidatingSource(advanced -> Mono.error(new IllegalStateException()));
        SyncRules rules = new SyncRules(List.of(), ADVANCED);

        SyncRulesValidator.validate(rules, throwing, "x").as(StepVerifier::create)
                .expectNext(RulesValidation.invalid(List.of("advanced: could not be validated: bug in the source")))
                .expectComplete()
                .verify(TIMEOUT);
        SyncRulesValidator.validate(rules, answeringNull, "x").as(StepVerifier::create)
                .assertNext(r -> assertThat(r.state()).isEqualTo(RulesValidation.State.INVALID))
                .expectComplete()
                .verify(TIMEOUT);
        SyncRulesValidator.validate(rules, failingWithoutMessage, "x").as(StepVerifier::create)
                .expectNext(RulesValidation.invalid(List.of("advanced: could not be validated: IllegalStateException")))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void theSourceIsAskedOnlyOnSubscription() {
        PublisherProbe<List<String>> answer = PublisherProbe.of(Mono.just(List.of()));
        AtomicInteger calls = new AtomicInteger();
        ValidatingSource source = new ValidatingSource(advanced -> {
            calls.incrementAndGet();
            return answer.mono();
        });

        Mono<RulesValidation> validation = SyncRulesValidator.validate(new SyncRules(List.of(), ADVANCED), source, "x");
        assertThat(calls.get()).isZero();
        answer.assertWasNotSubscribed();

        validation.as(StepVerifier::create).expectNextCount(1).expectComplete().verify(TIMEOUT);
        answer.assertWasSubscribed();
    }

    @Test
    void cancellingCancelsTheSourcesValidation() {
        PublisherProbe<List<String>> answer = PublisherProbe.of(Mono.never());
        ValidatingSource source = new ValidatingSource(advanced -> answer.mono());

        SyncRulesValidator.validate(new SyncRules(List.of(), ADVANCED), source, "x")
                .as(StepVerifier::create)
                .expectSubscription()
                .thenCancel()
                .verify(TIMEOUT);

        answer.assertWasCancelled();
    }

    // ---------------------------------------------------------------- the result type

    @Test
    void rulesValidation() {
        List<String> messages = new ArrayList<>(List.of("a"));
        RulesValidation invalid = RulesValidation.invalid(messages);
        messages.add("b");

        assertThat(invalid.messages()).containsExactly("a");
        assertThat(invalid.isValid()).isFalse();
        assertThat(RulesValidation.valid().isValid()).isTrue();
        assertThat(RulesValidation.valid().messages()).isEmpty();
        assertThat(new RulesValidation(RulesValidation.State.DRAFT, List.of()).isValid()).isFalse();
        assertThatThrownBy(() -> new RulesValidation(null, List.of())).isInstanceOf(NullPointerException.class);
    }

    // ---------------------------------------------------------------- helpers

    private static SyncRules basic(BasicRule... rules) {
        return new SyncRules(List.of(rules), Map.of());
    }

    private static PatternSyntaxException compileError(String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return e;
        }
        throw new AssertionError(regex + " compiled");
    }

    /** A source without the advanced-rules capability. */
    private static class PlainSource implements BaseDataSource {
        @Override
        public Mono<Void> ping() {
            return Mono.empty();
        }

        @Override
        public Mono<Void> validateConfig() {
            return Mono.empty();
        }

        @Override
        public Flux<SourceDocument> getDocs(SyncRules rules) {
            return Flux.empty();
        }

        @Override
        public Mono<Void> close() {
            return Mono.empty();
        }
    }

    /** A source that validates advanced rules with a script. */
    private static final class ValidatingSource extends PlainSource implements AdvancedRulesValidator {
        final List<Map<String, Object>> seen = new ArrayList<>();
        private final Function<Map<String, Object>, Mono<List<String>>> script;

        ValidatingSource(Function<Map<String, Object>, Mono<List<String>>> script) {
            this.script = script;
        }

        @Override
        public Mono<List<String>> validateAdvancedRules(Map<String, Object> advanced) {
            seen.add(advanced);
            return script.apply(advanced);
        }
    }
}
