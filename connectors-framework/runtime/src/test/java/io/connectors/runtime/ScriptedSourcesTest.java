package io.connectors.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.spi.AccessControlSource;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.SourceContext;
import io.connectors.spi.SourceException;
import io.connectors.spi.config.SourceConfig;
import io.connectors.spi.rules.SyncRules;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The scripted source fails where its script says, and only there: the tests that inject a failure rely on it. */
class ScriptedSourcesTest {
    private static BaseDataSource create(Map<String, Object> script) {
        return ScriptedSources.provider().create(SourceConfig.from(ScriptedSources.OPTIONS, script), new SourceContext("s"));
    }

    @Test
    void failsAtCreate() {
        assertThatThrownBy(() -> create(Map.of("fail_at", "create")))
                .isInstanceOf(SourceException.class).hasMessage("scripted failure at create");
    }

    @Test
    void failsAtPingOrValidateConfig() {
        BaseDataSource pinging = create(Map.of("fail_at", "ping"));
        pinging.ping().as(StepVerifier::create).expectErrorMessage("scripted failure at ping").verify();
        pinging.validateConfig().as(StepVerifier::create).verifyComplete();
        close(pinging);
        BaseDataSource validating = create(Map.of("fail_at", "validate_config"));
        validating.validateConfig().as(StepVerifier::create)
                .expectErrorMessage("scripted failure at validate_config").verify();
        close(validating);
    }

    @Test
    void aFailingStreamEmitsItsItemsFirst() {
        BaseDataSource docs = create(Map.of("docs", 5, "fail_at", "get_docs", "fail_after", 2));
        docs.getDocs(SyncRules.NONE).as(StepVerifier::create).expectNextCount(2)
                .expectErrorMatches(e -> e instanceof SourceException && e.getMessage().equals("scripted failure at get_docs"))
                .verify();
        close(docs);
        BaseDataSource identities = create(Map.of("identities", 4, "fail_at", "get_access_control"));
        ((AccessControlSource) identities).getAccessControl().as(StepVerifier::create)
                .expectErrorMessage("scripted failure at get_access_control").verify();
        identities.getDocs(SyncRules.NONE).as(StepVerifier::create).expectNextCount(10).verifyComplete();
        close(identities);
    }

    @Test
    void withoutAFailurePointNothingFails() {
        BaseDataSource source = create(Map.of("docs", 3));
        source.ping().as(StepVerifier::create).verifyComplete();
        source.validateConfig().as(StepVerifier::create).verifyComplete();
        source.getDocs(SyncRules.NONE).as(StepVerifier::create).expectNextCount(3).verifyComplete();
        close(source);
    }

    private static void close(BaseDataSource source) {
        source.close().as(StepVerifier::create).verifyComplete();
    }
}
