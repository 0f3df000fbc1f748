package io.connectors.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElasticsearchSettingsTest {

    private static final URI HOST = URI.create("http://localhost:9200");

    @Test
    void defaults() {
        ElasticsearchSettings s = ElasticsearchSettings.defaults(HOST);
        assertThat(s.hosts()).containsExactly(HOST);
        assertThat(s.username()).isNull();
        assertThat(s.password()).isNull();
        assertThat(s.apiKey()).isNull();
        assertThat(s.caFile()).isNull();
        assertThat(s.verifyHostname()).isTrue();
        assertThat(s.maxConnections()).isEqualTo(16);
        assertThat(s.maxIdleTime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.maxLifeTime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.pendingAcquireTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.compression()).isFalse();
        assertThat(s.secure()).isFalse();
    }

    @Test
    void toStringMasksSecrets() {
        assertThat(ElasticsearchSettings.defaults(HOST).withBasicAuth("elastic", "hunter2-secret").toString())
                .contains("username=elastic").contains("password=********").doesNotContain("hunter2-secret");
        assertThat(ElasticsearchSettings.defaults(HOST).withApiKey("c2VjcmV0LWtleQ==").toString())
                .contains("apiKey=********").doesNotContain("c2VjcmV0LWtleQ==");
        assertThat(ElasticsearchSettings.defaults(HOST).toString()).contains("password=null", "apiKey=null");
    }

    @Test
    void credentialsInAUrlAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> ElasticsearchSettings.defaults(URI.create("https://elastic:hunter2@es.example:9243")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credentials")
                .hasMessageContaining("es.example")
                .message().doesNotContain("hunter2");
    }

    @Test
    void rejectsBadHosts() {
        assertThatThrownBy(() -> ElasticsearchSettings.defaults(HOST).withHosts(List.of()))
                .hasMessageContaining("elasticsearch.host: must name at least one");
        assertThatThrownBy(() -> ElasticsearchSettings.defaults(URI.create("localhost:9200")))
                .hasMessageContaining("is not an http(s) URL such as http://localhost:9200");
        assertThatThrownBy(() -> ElasticsearchSettings.defaults(HOST)
                .withHosts(List.of(HOST, URI.create("https://other:9200"))))
                .hasMessageContaining("same scheme");
    }

    @Test
    void normalizesHosts() {
        ElasticsearchSettings s = ElasticsearchSettings.defaults(URI.create("HTTPS://es.example:9243/prefix/"));
        assertThat(s.hosts()).containsExactly(URI.create("https://es.example:9243/prefix"));
        assertThat(s.secure()).isTrue();
    }

    @Test
    void credentialRules() {
        assertThatThrownBy(() -> ElasticsearchSettings.defaults(HOST).withBasicAuth("elastic", null))
                .hasMessageContaining("elasticsearch.username/password: give both or neither");
        ElasticsearchSettings basic = ElasticsearchSettings.defaults(HOST).withBasicAuth("elastic", "pw-123456");
        assertThatThrownBy(() -> new ElasticsearchSettings(basic.hosts(), "elastic", "pw-123456", "key", null, true,
                16, basic.maxIdleTime(), basic.maxLifeTime(), basic.pendingAcquireTimeout(), basic.connectTimeout(),
                basic.requestTimeout(), false))
                .hasMessageContaining("elasticsearch.api_key: give either an API key or a username and password")
                .message().doesNotContain("pw-123456");
        assertThat(ElasticsearchSettings.defaults(HOST).withBasicAuth(" ", "").username()).isNull();
    }
}
