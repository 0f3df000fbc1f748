package io.connectors.runtime.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.runtime.config.OpsSettings;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The daemon's operations endpoint, a small HTTP server for probes and scrapers:
 *
 * <ul>
 *   <li>{@code GET /health}: 200 {@code {"status":"UP","pid":N}} while the process runs (liveness); the pid lets a
 *       second daemon refused this port name the one holding it;</li>
 *   <li>{@code GET /ready}: 200 {@code {"status":"READY"}}, or 503 {@code {"status":"NOT_READY","reasons":[...]}}
 *       with the reasons the readiness check gave; the check runs on every request and is given
 *       {@link #READINESS_TIMEOUT} to answer;</li>
 *   <li>{@code GET /metrics}: 200, every meter of {@link DaemonMetrics} in the Prometheus text format 0.0.4;</li>
 *   <li>{@code GET /connectors}: 200, each recorded connector's id, state ({@code running} or {@code paused}) and
 *       running job, as JSON;</li>
 *   <li>{@code POST /connectors/<id>/pause}, {@code /resume}, {@code /restart}: 200 with what was done
 *       ({@link ConnectorControls}); 403 when {@code daemon.http.controls} does not allow them on this address, 404
 *       for an unknown connector, 409 for an action the connector's state refuses.</li>
 * </ul>
 *
 * <p>Any other path answers 404, any other method on these paths 405. The server runs on Reactor Netty's shared
 * event loops; scrapes run on {@code boundedElastic} so JVM metric reads never hold an event loop.
 */
public final class OpsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);

    /** How long {@code /ready} waits for the readiness check. */
    public static final Duration READINESS_TIMEOUT = Duration.ofSeconds(2);
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final DisposableServer server;

    private OpsServer(DisposableServer server) {
        this.server = server;
    }

    /**
     * Starts the server; nothing happens before subscription.
     *
     * @param settings  where to listen; when {@link OpsSettings#enabled()} is false, no server is started and the
     *                  returned instance has {@link #port()} -1 and a {@link #close()} that does nothing
     * @param readiness the reasons the daemon is not ready, evaluated (subscribed) on every {@code /ready} request:
     *                  an empty list means ready. An error or an empty {@code Mono} counts as not ready
     * @param metrics   what {@code /metrics} renders
     * @return the started server, or an error naming {@code host:port} when it cannot bind (port in use, address
     *         not on this machine, permission)
     */
    public static Mono<OpsServer> start(OpsSettings settings, Supplier<Mono<List<String>>> readiness,
            DaemonMetrics metrics) {
        return start(settings, readiness, metrics, ConnectorControls.NONE, READINESS_TIMEOUT);
    }

    /** As {@link #start(OpsSettings, Supplier, DaemonMetrics)}, answering the connector controls too. */
    public static Mono<OpsServer> start(OpsSettings settings, Supplier<Mono<List<String>>> readiness,
            DaemonMetrics metrics, ConnectorControls controls) {
        return start(settings, readiness, metrics, controls, READINESS_TIMEOUT);
    }

    /**
     * The connector controls the endpoint answers, kept apart from the daemon so this package does not depend on it.
     */
    public interface ConnectorControls {
        /** No connector controls: {@code /connectors} answers 404. */
        ConnectorControls NONE = null;

        /** Each recorded connector's state. */
        Mono<List<Map<String, Object>>> list();

        /**
         * Takes {@code action} ({@code pause}, {@code resume} or {@code restart}); emits the answer's body. Fails with
         * {@link java.util.NoSuchElementException} for an unknown connector, {@link IllegalStateException} for an
         * action its state refuses.
         */
        Mono<Map<String, Object>> apply(String connectorId, String action, String requester);
    }

    static Mono<OpsServer> start(OpsSettings settings, Supplier<Mono<List<String>>> readiness, DaemonMetrics metrics,
            Duration readinessTimeout) {
        return start(settings, readiness, metrics, ConnectorControls.NONE, readinessTimeout);
    }

    static Mono<OpsServer> start(OpsSettings settings, Supplier<Mono<List<String>>> readiness, DaemonMetrics metrics,
            ConnectorControls controls, Duration readinessTimeout) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(readiness, "readiness");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(readinessTimeout, "readinessTimeout");
        if (!settings.enabled()) {
            return Mono.fromSupplier(() -> {
                log.info("Operations endpoint disabled (daemon.http.enabled=false)");
                return new OpsServer(null);
            });
        }
        String address = settings.host() + ":" + settings.port();
        Handler handler = new Handler(readiness, metrics, readinessTimeout, controls, settings.controlsAllowed());
        return HttpServer.create()
                .host(settings.host())
                .port(settings.port())
                .handle(handler::handle)
                .bind()
                .onErrorMap(e -> new IllegalStateException("Cannot start the operations endpoint on " + address
                        + " (daemon.http.host, daemon.http.port): " + describe(e), e))
                .map(server -> {
                    log.info("Operations endpoint listening on http://{}:{} (/health, /ready, /metrics)",
                            settings.host(), server.port());
                    return new OpsServer(server);
                });
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && sb.indexOf(t.getMessage()) < 0) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(t.getMessage());
            }
        }
        return sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
    }

    /** The port the server listens on (the one chosen by the system when the settings say 0), or -1 when disabled. */
    public int port() {
        return server == null ? -1 : server.port();
    }

    /** Stops listening and closes open connections, without waiting for it. Idempotent. */
    @Override
    public void close() {
        if (server != null) {
            server.dispose();
        }
    }

    /** Completes once the server is closed (at once when disabled). */
    Mono<Void> onClose() {
        return server == null ? Mono.empty() : server.onDispose();
    }

    /** Routes requests; one instance per server, shared by its event loops (it holds no mutable state). */
    private record Handler(Supplier<Mono<List<String>>> readiness, DaemonMetrics metrics, Duration readinessTimeout,
                           ConnectorControls controls, boolean controlsAllowed) {

        Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
            String path = path(req.uri());
            if (controls != null && (path.equals("/connectors") || path.startsWith("/connectors/"))) {
                return connectors(req, res, path);
            }
            if (!path.equals("/health") && !path.equals("/ready") && !path.equals("/metrics")) {
                return json(res, HttpResponseStatus.NOT_FOUND,
                        Map.of("error", "not found", "endpoints", List.of("/health", "/ready", "/metrics")));
            }
            if (!HttpMethod.GET.equals(req.method())) {
                res.header(HttpHeaderNames.ALLOW, "GET");
                return json(res, HttpResponseStatus.METHOD_NOT_ALLOWED,
                        Map.of("error", "method " + req.method().name() + " not allowed, only GET"));
            }
            return switch (path) {
                case "/health" -> json(res, HttpResponseStatus.OK, Map.of("status", "UP", "pid", ProcessHandle.current().pid()));
                case "/ready" -> ready(res);
                default -> metrics(res);
            };
        }

        private Mono<Void> connectors(HttpServerRequest req, HttpServerResponse res, String path) {
            if (path.equals("/connectors")) {
                if (!HttpMethod.GET.equals(req.method())) {
                    res.header(HttpHeaderNames.ALLOW, "GET");
                    return json(res, HttpResponseStatus.METHOD_NOT_ALLOWED,
                            Map.of("error", "method " + req.method().name() + " not allowed, only GET"));
                }
                return controls.list().flatMap(list -> json(res, HttpResponseStatus.OK, Map.of("connectors", list)))
                        .onErrorResume(e -> json(res, HttpResponseStatus.SERVICE_UNAVAILABLE,
                                Map.of("error", "reading the connectors failed: " + describe(e))));
            }
            String[] parts = path.substring("/connectors/".length()).split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || !List.of("pause", "resume", "restart").contains(parts[1])) {
                return json(res, HttpResponseStatus.NOT_FOUND, Map.of("error", "not found", "endpoints",
                        List.of("GET /connectors", "POST /connectors/<id>/pause", "POST /connectors/<id>/resume",
                                "POST /connectors/<id>/restart")));
            }
            if (!HttpMethod.POST.equals(req.method())) {
                res.header(HttpHeaderNames.ALLOW, "POST");
                return json(res, HttpResponseStatus.METHOD_NOT_ALLOWED,
                        Map.of("error", "method " + req.method().name() + " not allowed, only POST"));
            }
            if (!controlsAllowed) {
                return json(res, HttpResponseStatus.FORBIDDEN, Map.of("error", "connector controls are off on this"
                        + " address: daemon.http.controls is 'off', or 'loopback' while daemon.http.host is not a"
                        + " loopback address; use the command line (connectors " + parts[1] + " <id>) or set"
                        + " daemon.http.controls to 'on' behind an authenticating proxy"));
            }
            String connectorId = java.net.URLDecoder.decode(parts[0], java.nio.charset.StandardCharsets.UTF_8);
            String requester = "http " + (req.remoteAddress() == null ? "unknown" : req.remoteAddress().getAddress().getHostAddress());
            return req.receive().then()
                    .then(controls.apply(connectorId, parts[1], requester))
                    .flatMap(body -> json(res, HttpResponseStatus.OK, body))
                    .onErrorResume(java.util.NoSuchElementException.class,
                            e -> json(res, HttpResponseStatus.NOT_FOUND, Map.of("error", e.getMessage())))
                    .onErrorResume(IllegalStateException.class,
                            e -> json(res, HttpResponseStatus.CONFLICT, Map.of("error", e.getMessage())))
                    .onErrorResume(e -> {
                        log.warn("Connector control {} of {} failed: {}", parts[1], connectorId, e.toString());
                        return json(res, HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("error", describe(e)));
                    });
        }

        private Mono<Void> ready(HttpServerResponse res) {
            return Mono.defer(readiness)
                    .timeout(readinessTimeout, Mono.just(List.of("readiness check timed out")))
                    .switchIfEmpty(Mono.fromSupplier(() -> List.of("readiness check gave no answer")))
                    .onErrorResume(e -> {
                        // Answered to the caller as a reason; logged because it is not one of the expected reasons.
                        log.warn("Readiness check failed: {}", e.toString());
                        return Mono.just(List.of("readiness check failed: " + describe(e)));
                    })
                    .flatMap(reasons -> {
                        if (reasons.isEmpty()) {
                            return json(res, HttpResponseStatus.OK, Map.of("status", "READY"));
                        }
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("status", "NOT_READY");
                        body.put("reasons", reasons);
                        return json(res, HttpResponseStatus.SERVICE_UNAVAILABLE, body);
                    });
        }

        private Mono<Void> metrics(HttpServerResponse res) {
            return res.status(HttpResponseStatus.OK)
                    .header(HttpHeaderNames.CONTENT_TYPE, METRICS_CONTENT_TYPE)
                    .sendString(Mono.fromCallable(metrics::scrape)
                            .subscribeOn(Schedulers.boundedElastic())
                            .doOnError(e -> log.warn("Metrics scrape failed", e)))
                    .then();
        }

        private static Mono<Void> json(HttpServerResponse res, HttpResponseStatus status, Map<String, ?> body) {
            byte[] bytes;
            try {
                bytes = MAPPER.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                return Mono.error(e);
            }
            return res.status(status)
                    .header(HttpHeaderNames.CONTENT_TYPE, JSON)
                    .sendByteArray(Mono.just(bytes))
                    .then();
        }

        private static String path(String uri) {
            int end = uri.length();
            int query = uri.indexOf('?');
            if (query >= 0) {
                end = query;
            }
            int fragment = uri.indexOf('#');
            if (fragment >= 0 && fragment < end) {
                end = fragment;
            }
            return uri.substring(0, end);
        }
    }
}
