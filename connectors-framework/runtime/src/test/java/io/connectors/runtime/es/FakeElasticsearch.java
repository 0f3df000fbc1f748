package io.connectors.runtime.es;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A scripted HTTP server that answers like Elasticsearch, on 127.0.0.1 and a free port. Records every request and
 * counts server-side connections (opened in total, open now, most open at once).
 */
final class FakeElasticsearch implements AutoCloseable {

    static final String HEALTH = """
            {"cluster_name":"fake-cluster","status":"green","timed_out":false,"number_of_nodes":1,
             "number_of_data_nodes":1,"active_primary_shards":0,"active_shards":0,"relocating_shards":0,
             "initializing_shards":0,"unassigned_shards":0,"unassigned_primary_shards":0,
             "delayed_unassigned_shards":0,"number_of_pending_tasks":0,"number_of_in_flight_fetch":0,
             "task_max_waiting_in_queue_millis":0,"active_shards_percent_as_number":100.0}""";

    /** What Elasticsearch 8.19.21 answers to {@code GET _nodes/_local/_none}. */
    static final String NODES_LOCAL = """
            {"_nodes":{"total":1,"successful":1,"failed":0},"cluster_name":"fake-cluster",
             "nodes":{"0sye55TISW2fqGGyLQU4nA":{"name":"vm","transport_address":"127.0.0.1:19350",
             "host":"127.0.0.1","ip":"127.0.0.1","version":"8.19.21","transport_version":8841096,
             "index_version":8537000,"component_versions":{"transform_config_version":10000099,
             "ml_config_version":12000099,"api_key_version":8150099},"build_flavor":"default","build_type":"zip",
             "build_hash":"4fe44c255c3d0da06779b921e132cdc555ed9aff","roles":["data","data_cold","data_content",
             "data_frozen","data_hot","data_warm","ingest","master","ml","remote_cluster_client","transform"],
             "attributes":{"xpack.installed":"true"}}}}""";

    static final String UNAUTHORIZED = """
            {"error":{"root_cause":[{"type":"security_exception","reason":"unable to authenticate user [elastic]"}],
             "type":"security_exception","reason":"unable to authenticate user [elastic]"},"status":401}""";

    /** What the server received. */
    record Recorded(String method, String uri, HttpHeaders headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What the server answers. */
    record Reply(int status, String contentType, String body, Map<String, String> headers) {
        static Reply json(int status, String body) {
            return new Reply(status, "application/vnd.elasticsearch+json;compatible-with=8", body,
                    Map.of("X-elastic-product", "Elasticsearch"));
        }

        static Reply health() {
            return json(200, HEALTH);
        }
    }

    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionsOpened = new AtomicInteger();
    private final AtomicInteger openNow = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    private final Sinks.Many<String> events = Sinks.many().replay().all();
    private volatile Function<Recorded, Mono<Reply>> script = r -> Mono.just(defaultReply(r));
    private final DisposableServer server;

    FakeElasticsearch() {
        this(UnaryOperator.identity());
    }

    FakeElasticsearch(UnaryOperator<HttpServer> customizer) {
        HttpServer http = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                // Per TCP connection (doOnConnection would fire per HTTP request).
                .doOnChannelInit((observer, channel, remoteAddress) -> {
                    connectionsOpened.incrementAndGet();
                    mostOpen.accumulateAndGet(openNow.incrementAndGet(), Math::max);
                    channel.closeFuture().addListener(closed -> {
                        openNow.decrementAndGet();
                        emit("closed");
                    });
                })
                .handle((req, res) -> req.receive().aggregate().asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .flatMap(body -> {
                            Recorded recorded = new Recorded(req.method().name(), req.uri(),
                                    new DefaultHttpHeaders().add(req.requestHeaders()), body);
                            requests.add(recorded);
                            emit("request " + recorded.uri());
                            return script.apply(recorded);
                        })
                        .flatMap(reply -> {
                            res.status(reply.status());
                            if (reply.contentType() != null) {
                                res.header("content-type", reply.contentType());
                            }
                            reply.headers().forEach(res::header);
                            return res.sendString(Mono.just(reply.body())).then();
                        }));
        this.server = customizer.apply(http).bindNow();
    }

    static Reply defaultReply(Recorded r) {
        String path = r.uri();
        if (path.startsWith("/_nodes/")) {
            return Reply.json(200, NODES_LOCAL);
        }
        return Reply.health();
    }

    /** Replaces how the server answers; applies to requests received from now on. */
    FakeElasticsearch script(Function<Recorded, Mono<Reply>> newScript) {
        this.script = newScript;
        return this;
    }

    /** "request &lt;uri&gt;" and "closed" (a connection closed), replayed from the start. */
    Flux<String> events() {
        return events.asFlux();
    }

    private void emit(String event) {
        events.emitNext(event, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }

    int port() {
        return server.port();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    URI uri(String scheme) {
        return URI.create(scheme + "://127.0.0.1:" + port());
    }

    List<Recorded> requests() {
        return requests;
    }

    Recorded lastRequest() {
        return requests.get(requests.size() - 1);
    }

    int connectionsOpened() {
        return connectionsOpened.get();
    }

    int mostOpenAtOnce() {
        return mostOpen.get();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
