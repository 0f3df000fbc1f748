package io.connectors.testkit.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SharedElasticsearchIT {

    @Test
    void everyCallerSharesOneRunningElasticsearch() {
        ElasticsearchEndpoint endpoint = TestElasticsearch.get();

        assertThat(TestElasticsearch.get()).isSameAs(endpoint);
        LocalElasticsearchLauncherIT.assertIndexesAndGets(endpoint);
    }
}
