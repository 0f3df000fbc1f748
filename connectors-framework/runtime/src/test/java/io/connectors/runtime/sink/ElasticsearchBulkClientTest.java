package io.connectors.runtime.sink;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.DefaultTransportOptions;
import co.elastic.clients.transport.ElasticsearchTransportBase;
import co.elastic.clients.transport.TransportOptions;
import co.elastic.clients.transport.http.TransportHttpClient;
import co.elastic.clients.transport.instrumentation.NoopInstrumentation;
import co.elastic.clients.util.BinaryData;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The request the client builds and how it reads answers, against a fake HTTP layer under the real transport. */
class ElasticsearchBulkClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void sendsSourceBytesAsTheyAreAndDeletesById() {
        FakeHttp http = new FakeHttp(r -> response(200, true, """
                {"took":3,"errors":true,"items":[
                 {"index":{"_index":"idx","_id":"a","status":201,"result":"created"}},
                 {"delete":{"_index":"idx","_id":"z","status":404,"result":"not_found"}},
                 {"index":{"_index":"idx","_id":"bad","status":400,
                   "error":{"type":"mapper_parsing_exception","reason":"failed to parse field [n]"}}}]}
                """));
        // Spacing a serializer would normalize proves the bytes were not re-serialized.
        byte[] source = "{\"n\" :  1,\"s\":\"é\"}".getBytes(UTF_8);
        BulkClient client = new ElasticsearchBulkClient(http.client(), "idx", "my-pipeline");

        client.bulk(List.of(new BulkOp.Index("a", source), new BulkOp.Delete("z"),
                        new BulkOp.Index("bad", "{\"n\":\"x\"}".getBytes(UTF_8))))
                .as(StepVerifier::create)
                .assertNext(items -> assertThat(items).containsExactly(
                        new ItemResult("a", 201, "created", null, null),
                        new ItemResult("z", 404, "not_found", null, null),
                        new ItemResult("bad", 400, null, "mapper_parsing_exception", "failed to parse field [n]")))
                .expectComplete()
                .verify(TIMEOUT);

        TransportHttpClient.Request sent = http.requests.get(0);
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/idx/_bulk");
        assertThat(sent.queryParams()).containsEntry("pipeline", "my-pipeline");
        assertThat(body(sent)).isEqualTo("""
                {"index":{"_id":"a"}}
                {"n" :  1,"s":"é"}
                {"delete":{"_id":"z"}}
                {"index":{"_id":"bad"}}
                {"n":"x"}
                """);
    }

    @Test
    void sendsNothingBeforeSubscriptionAndAgainOnEachSubscription() {
        FakeHttp http = new FakeHttp(r -> response(200, true, """
                {"took":1,"errors":false,"items":[{"delete":{"_index":"idx","_id":"z","status":200,"result":"deleted"}}]}
                """));
        Mono<List<ItemResult>> request = new ElasticsearchBulkClient(http.client(), "idx", null)
                .bulk(List.of(new BulkOp.Delete("z")));

        assertThat(http.requests).isEmpty();
        request.as(StepVerifier::create).expectNextCount(1).expectComplete().verify(TIMEOUT);
        request.as(StepVerifier::create).expectNextCount(1).expectComplete().verify(TIMEOUT);

        assertThat(http.requests).hasSize(2);
        assertThat(http.requests.get(0).queryParams()).doesNotContainKey("pipeline");
    }

    @Test
    void overloadIsRetryable() {
        expectFailure(r -> response(429, true, """
                {"error":{"type":"es_rejected_execution_exception","reason":"rejected execution"},"status":429}
                """), 429, true);
    }

    @Test
    void gatewayErrorWithoutAnElasticsearchBodyIsRetryable() {
        expectFailure(r -> response(503, false, "<html>Service Unavailable</html>"), 503, true);
    }

    @Test
    void authenticationFailureIsNotRetryable() {
        expectFailure(r -> response(401, true, """
                {"error":{"type":"security_exception","reason":"unable to authenticate"},"status":401}
                """), 401, false);
    }

    @Test
    void connectionErrorIsRetryableWithStatusZero() {
        expectFailure(r -> CompletableFuture.failedFuture(new ConnectException("Connection refused")), 0, true);
    }

    private static void expectFailure(Function<TransportHttpClient.Request, CompletableFuture<TransportHttpClient.Response>> answer,
                                      int status, boolean retryable) {
        FakeHttp http = new FakeHttp(answer);
        new ElasticsearchBulkClient(http.client(), "idx", null).bulk(List.of(new BulkOp.Delete("z")))
                .as(StepVerifier::create)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(BulkRequestException.class, b -> {
                    assertThat(b.status()).isEqualTo(status);
                    assertThat(b.retryable()).isEqualTo(retryable);
                }))
                .verify(TIMEOUT);
    }

    private static String body(TransportHttpClient.Request request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : request.body()) {
            ByteBuffer copy = b.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            out.writeBytes(bytes);
        }
        return out.toString(UTF_8);
    }

    private static CompletableFuture<TransportHttpClient.Response> response(int status, boolean fromElasticsearch,
                                                                            String body) {
        String contentType = fromElasticsearch ? "application/json" : "text/html";
        Map<String, String> headers = fromElasticsearch
                ? Map.of("content-type", contentType, "x-elastic-product", "Elasticsearch")
                : Map.of("content-type", contentType);
        return CompletableFuture.completedFuture(new TransportHttpClient.Response() {
            @Override
            public TransportHttpClient.Node node() {
                return null;
            }

            @Override
            public int statusCode() {
                return status;
            }

            @Override
            public String header(String name) {
                return headers.get(name.toLowerCase(java.util.Locale.ROOT));
            }

            @Override
            public List<String> headers(String name) {
                String v = header(name);
                return v == null ? List.of() : List.of(v);
            }

            @Override
            public BinaryData body() {
                return BinaryData.of(body.getBytes(UTF_8), contentType);
            }

            @Override
            public Object originalResponse() {
                return null;
            }

            @Override
            public void close() {
            }
        });
    }

    /** Records requests and answers them from a script, under the client's real transport and serialization. */
    private static final class FakeHttp implements TransportHttpClient {
        final List<Request> requests = new CopyOnWriteArrayList<>();
        private final Function<Request, CompletableFuture<Response>> answer;

        FakeHttp(Function<Request, CompletableFuture<Response>> answer) {
            this.answer = answer;
        }

        ElasticsearchAsyncClient client() {
            TransportOptions options = new DefaultTransportOptions();
            // No OpenTelemetry: its auto-detection needs commons-logging, which the build excludes.
            return new ElasticsearchAsyncClient(new ElasticsearchTransportBase(this, options, new JacksonJsonpMapper(),
                    NoopInstrumentation.INSTANCE) {
            });
        }

        @Override
        public Response performRequest(String endpointId, Node node, Request request, TransportOptions options) {
            throw new UnsupportedOperationException("async only");
        }

        @Override
        public CompletableFuture<Response> performRequestAsync(String endpointId, Node node, Request request,
                                                               TransportOptions options) {
            requests.add(request);
            return answer.apply(request);
        }

        @Override
        public void close() {
        }
    }
}
