package io.connectors.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import io.connectors.spi.Incubating;
import org.junit.jupiter.api.Test;

/**
 * House rules (STYLE.md) the compiler cannot check: no blocking in reactive code, no swallowed errors via
 * onErrorContinue, no subscribe() inside the engine, no cycles among the runtime's packages. The process entry point (cli.Main, which waits for a
 * command's result, and the shutdown path of the daemon command) is the one place allowed to block.
 */
class ArchitectureTest {
    private static JavaClasses main;

    @BeforeAll
    static void importClasses() {
        main = new ClassFileImporter()
                .withImportOption(location -> !location.contains("/test-classes/") && !location.contains("-tests.jar"))
                .importPackages("io.connectors.runtime", "io.connectors.spi", "io.connectors.source",
                        "io.connectors.elasticsearch.local");
    }

    @Test
    void noBlockingCallsOutsideTheEntryPoint() {
        ArchRule rule = noClasses()
                .that().doNotHaveFullyQualifiedName("io.connectors.runtime.cli.Main")
                // The local node's launcher is plain blocking code, called by the CLI before anything reactive runs.
                .and().resideOutsideOfPackage("io.connectors.elasticsearch.local..")
                .should().callMethod(reactor.core.publisher.Mono.class, "block")
                .orShould().callMethod(reactor.core.publisher.Mono.class, "block", java.time.Duration.class)
                .orShould().callMethod(reactor.core.publisher.Flux.class, "blockFirst")
                .orShould().callMethod(reactor.core.publisher.Flux.class, "blockLast")
                .orShould().callMethod(reactor.core.publisher.Flux.class, "toIterable")
                .orShould().callMethod(reactor.core.publisher.Flux.class, "toStream")
                .orShould().callMethod(Thread.class, "sleep", long.class)
                .because("reactive code must not block; only the CLI entry point waits for a result");
        rule.check(main);
    }

    @Test
    void noOnErrorContinue() {
        noClasses().should().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                        com.tngtech.archunit.core.domain.properties.HasName.Predicates.name("onErrorContinue")))
                .because("onErrorContinue silently drops elements and breaks operator contracts")
                .check(main);
    }

    @Test
    void engineDoesNotSubscribeInsideOperators() {
        noClasses().that().resideInAnyPackage("io.connectors.runtime.sync..", "io.connectors.runtime.sink..",
                        "io.connectors.runtime.daemon..", "io.connectors.source..")
                // A custom operator subscribes to its upstream: that is its job, not a nested subscription.
                .and().areNotAssignableTo(reactor.core.publisher.Flux.class)
                .and().areNotAssignableTo(reactor.core.publisher.Mono.class)
                .should().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                        com.tngtech.archunit.core.domain.properties.HasName.Predicates.name("subscribe")))
                .because("subscribing inside an operator loses backpressure, cancellation and errors")
                .check(main);
    }

    @Test
    void sourcesUseTheSpiOnly() {
        noClasses().that().resideInAPackage("io.connectors.source..")
                .should().dependOnClassesThat().resideInAPackage("io.connectors.runtime..")
                .check(main);
    }

    @Test
    void runtimePackagesAreFreeOfCycles() {
        slices().matching("io.connectors.runtime.(*)..")
                .should().beFreeOfCycles()
                .because("each package of the runtime stands on those below it; a loop makes them one tangle")
                .check(main);
    }

    @Test
    void productCodeDependsOnNoTestCode() {
        noClasses().that().resideInAnyPackage("io.connectors.runtime..", "io.connectors.spi..", "io.connectors.source..",
                        "io.connectors.elasticsearch.local..")
                .should().dependOnClassesThat().resideInAnyPackage("io.connectors.testkit..", "org.junit..",
                        "org.assertj..", "reactor.test..", "org.testcontainers..")
                .because("the distribution ships no test code: the local Elasticsearch of `make run` is the product module"
                        + " connectors-elasticsearch-local, which the test kit uses, not the other way round")
                .check(main);
    }

    @Test
    void spiSubPackagesStandOnTheirOwn() {
        for (String leaf : new String[] {"config", "rules", "support"}) {
            noClasses().that().resideInAPackage("io.connectors.spi." + leaf + "..")
                    .should().dependOnClassesThat().resideInAPackage("io.connectors.spi")
                    .orShould().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                            "are in another SPI sub-package", c -> c.getPackageName().startsWith("io.connectors.spi.")
                                    && !c.getPackageName().startsWith("io.connectors.spi." + leaf)))
                    .because("the SPI's concerns are layered: configuration, rules and support helpers need nothing of"
                            + " the contract, which builds on them")
                    .check(main);
        }
        noClasses().that().resideInAPackage("io.connectors.spi.network..")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "are SPI types other than SourceException", c -> c.getPackageName().startsWith("io.connectors.spi")
                                && !c.getPackageName().startsWith("io.connectors.spi.network")
                                && !c.getName().equals("io.connectors.spi.SourceException")))
                .because("a network refusal is a SourceException; nothing else of the SPI is needed to check a host")
                .check(main);
    }

    @Test
    void everySpiTypeHasAConsumerInTheRuntimeOrIsIncubating() {
        classes().that().resideInAnyPackage("io.connectors.spi", "io.connectors.spi.config..", "io.connectors.spi.network..",
                        "io.connectors.spi.rules..")
                .and().areTopLevelClasses()
                .and().haveModifier(JavaModifier.PUBLIC)
                .and().areNotAnnotatedWith(Incubating.class)
                .and().areNotAnnotations()
                .and().doNotHaveSimpleName("package-info")
                // Exceptions are thrown by sources and reported by the runtime through their messages, like any error.
                .and().areNotAssignableTo(Throwable.class)
                .should(new ArchCondition<JavaClass>("be used by the runtime") {
                    @Override
                    public void check(JavaClass type, ConditionEvents events) {
                        boolean used = type.getDirectDependenciesToSelf().stream()
                                .anyMatch(d -> d.getOriginClass().getPackageName().startsWith("io.connectors.runtime"));
                        if (!used) {
                            events.add(SimpleConditionEvent.violated(type, type.getName() + " has no consumer in the"
                                    + " runtime: give it one, or mark it @Incubating and say in its javadoc what will"
                                    + " consume it"));
                        }
                    }
                })
                .because("an SPI type nothing reads promises sources behaviour that does not exist")
                .check(main);
    }
}
