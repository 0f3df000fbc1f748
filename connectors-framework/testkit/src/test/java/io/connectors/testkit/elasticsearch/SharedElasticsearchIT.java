package io.connectors.testkit.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.elasticsearch.local.ElasticsearchEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SharedElasticsearchIT {

    @Test
    void everyCallerSharesOneRunningElasticsearch() throws Exception {
        ElasticsearchEndpoint endpoint = TestElasticsearch.get();

        assertThat(TestElasticsearch.get()).isSameAs(endpoint);
        HttpRequest.Builder health = HttpRequest.newBuilder(URI.create(endpoint.uri().toString().replaceAll("/$", "")
                        + "/_cluster/health?wait_for_status=yellow&timeout=30s")).timeout(Duration.ofSeconds(40));
        if (endpoint.username() != null) {
            health.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (endpoint.username() + ":" + endpoint.password()).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(health.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).containsPattern("\"status\":\"(yellow|green)\"");
    }
}
