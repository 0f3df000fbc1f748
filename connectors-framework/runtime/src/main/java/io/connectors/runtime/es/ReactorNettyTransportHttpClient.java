package io.connectors.runtime.es;

import co.elastic.clients.transport.TransportOptions;
import co.elastic.clients.transport.http.TransportHttpClient;
import co.elastic.clients.util.BinaryData;
import io.connectors.runtime.config.ElasticsearchSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.tcp.SslProvider;

/**
 * The Elasticsearch Java client's HTTP layer on Reactor Netty: a pooled, non-blocking HTTP/1.1 client.
 *
 * <p>Requests go round-robin over {@link ElasticsearchSettings#hosts()} (or to the node the caller names). The
 * pool keeps at most {@code maxConnections} connections per host, closes idle ones after {@code maxIdleTime} and
 * replaces every connection once it is {@code maxLifeTime} old, so a load balancer or a restarted node is picked
 * up again. There is no node sniffing and no retry on another host: a failed request fails its future with an
 * {@link ElasticsearchConnectionException}, and the caller's retry goes to the next host.
 *
 * <p>Threading: {@link #performRequestAsync} returns at once; the future completes on a
 * {@link Schedulers#parallel()} thread, never on a Netty event loop, so decoding the response in the
 * Elasticsearch client and whatever the caller chains onto it stay off the I/O threads. Cancelling the future
 * aborts the request.
 *
 * <p>The runtime only uses the async path. {@link #performRequest} exists because the interface requires it (the
 * blocking {@code ElasticsearchClient}); it waits for the async request and refuses to run on a non-blocking
 * thread.
 */
public final class ReactorNettyTransportHttpClient implements TransportHttpClient {

    /** Name of the connection pool, as it appears in Reactor Netty's logs and metrics. */
    public static final String POOL_NAME = "elasticsearch";

    private static final Logger log = LoggerFactory.getLogger(ReactorNettyTransportHttpClient.class);
    private static final byte[] NO_BYTES = new byte[0];
    private static final int MAX_DISTINCT_WARNINGS = 64;

    private final ElasticsearchSettings settings;
    private final List<Node> nodes;
    private final AtomicInteger nextNode = new AtomicInteger();
    private final Set<String> loggedWarnings = ConcurrentHashMap.newKeySet();
    private final ConnectionProvider provider;
    private final HttpClient http;

    /**
     * Builds the pool and the HTTP client; no connection is opened until the first request. Reads the CA file
     * when one is configured and fails with an {@link IllegalArgumentException} naming it when it is unusable.
     */
    public ReactorNettyTransportHttpClient(ElasticsearchSettings settings) {
        this.settings = settings;
        this.nodes = settings.hosts().stream().map(Node::new).toList();
        SslProvider ssl = settings.secure() ? sslProvider(settings) : null;
        this.provider = ConnectionProvider.builder(POOL_NAME)
                .maxConnections(settings.maxConnections())
                // Callers bound their own concurrency; the acquire timeout bounds how long a request waits here.
                .pendingAcquireMaxCount(-1)
                .pendingAcquireTimeout(settings.pendingAcquireTimeout())
                .maxIdleTime(settings.maxIdleTime())
                .maxLifeTime(settings.maxLifeTime())
                .evictInBackground(evictionInterval(settings))
                // The connection used last is used next: a daemon's steady polls keep one warm, and the ones a sync
                // opened go idle and are closed after max_idle_time (first-in-first-out kept them all alive).
                .lifo()
                .build();
        HttpClient client = HttpClient.create(provider)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, saturatedMillis(settings.connectTimeout()))
                .responseTimeout(settings.requestTimeout())
                .compress(settings.compression());
        String authorization = authorization(settings);
        if (authorization != null) {
            client = client.headers(h -> h.set(HttpHeaderNames.AUTHORIZATION, authorization));
        }
        if (ssl != null) {
            client = client.secure(ssl);
        }
        this.http = client;
    }

    @Override
    public Response performRequest(String endpointId, Node node, Request request, TransportOptions options)
            throws IOException {
        if (Schedulers.isInNonBlockingThread()) {
            throw new IllegalStateException("Blocking Elasticsearch call [" + endpointId + "] on non-blocking thread "
                    + Thread.currentThread().getName() + "; use the async client");
        }
        CompletableFuture<Response> future = performRequestAsync(endpointId, node, request, options);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted =
                    new InterruptedIOException("interrupted waiting for [" + endpointId + "]");
            interrupted.initCause(e);
            throw interrupted;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        }
    }

    @Override
    public CompletableFuture<Response> performRequestAsync(String endpointId, Node node, Request request,
                                                           TransportOptions options) {
        Node target = node != null ? node : nodes.get(Math.floorMod(nextNode.getAndIncrement(), nodes.size()));
        String url;
        Map<String, String> headers;
        byte[] gzippedBody;
        try {
            url = url(target, request, options);
            headers = headers(request, options);
            gzippedBody = settings.compression() && request.body() != null ? gzip(request.body()) : null;
        } catch (RuntimeException | IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        Iterable<ByteBuffer> body = request.body();
        String hostAndPort = hostAndPort(target.uri());
        return http
                .request(HttpMethod.valueOf(request.method()))
                .uri(url)
                .send((req, out) -> {
                    headers.forEach(req.requestHeaders()::set);
                    if (body == null) {
                        return out;
                    }
                    ByteBuf content = gzippedBody != null ? Unpooled.wrappedBuffer(gzippedBody) : wrap(body);
                    if (gzippedBody != null) {
                        req.requestHeaders().set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
                    }
                    req.requestHeaders().set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
                    return out.send(Mono.just(content));
                })
                .responseSingle((response, bytes) -> bytes.asByteArray()
                        .defaultIfEmpty(NO_BYTES)
                        .map(content -> {
                            logWarnings(endpointId, response.responseHeaders());
                            return (Response) new NettyResponse(target, response, content);
                        }))
                .onErrorMap(e -> !(e instanceof ElasticsearchConnectionException),
                        e -> connectionFailure(request, hostAndPort, e))
                // Keep the client's JSON decoding and the caller's continuation off the event loop.
                .publishOn(Schedulers.parallel())
                .toFuture();
    }

    /** Closes the pool without waiting; in-flight requests fail. */
    @Override
    public void close() {
        provider.dispose();
    }

    /**
     * Elasticsearch reports deprecations (e.g. in compatibility mode after an upgrade) in {@code Warning} headers,
     * which the client itself ignores. Each distinct warning is logged once; a bulk load must not flood the log.
     */
    private void logWarnings(String endpointId, HttpHeaders headers) {
        List<String> warnings = headers.getAll(HttpHeaderNames.WARNING);
        for (String warning : warnings) {
            if (loggedWarnings.size() < MAX_DISTINCT_WARNINGS && loggedWarnings.add(warning)) {
                log.warn("Elasticsearch warning on [{}] (logged once): {}", endpointId, warning);
            } else {
                log.debug("Elasticsearch warning on [{}]: {}", endpointId, warning);
            }
        }
    }

    private static String url(Node node, Request request, TransportOptions options) {
        String base = node.uri().toString();
        StringBuilder url = new StringBuilder(base.length() + 64).append(base, 0, base.length() - 1);
        url.append(request.path());
        Map<String, String> params = new LinkedHashMap<>(request.queryParams());
        if (options != null) {
            params.putAll(options.queryParameters());
        }
        char separator = request.path().indexOf('?') < 0 ? '?' : '&';
        for (Map.Entry<String, String> param : params.entrySet()) {
            url.append(separator).append(encode(param.getKey()));
            if (param.getValue() != null) {
                url.append('=').append(encode(param.getValue()));
            }
            separator = '&';
        }
        return url.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The request's headers, then the options' headers, which take precedence (as the interface specifies). */
    private static Map<String, String> headers(Request request, TransportOptions options) {
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        if (options != null) {
            for (Map.Entry<String, String> header : options.headers()) {
                headers.keySet().removeIf(name -> name.equalsIgnoreCase(header.getKey()));
                headers.put(header.getKey(), header.getValue());
            }
        }
        return headers;
    }

    private static ByteBuf wrap(Iterable<ByteBuffer> body) {
        List<ByteBuffer> parts = new ArrayList<>();
        for (ByteBuffer part : body) {
            if (part.hasRemaining()) {
                parts.add(part.duplicate());
            }
        }
        return Unpooled.wrappedBuffer(parts.toArray(ByteBuffer[]::new));
    }

    private static byte[] gzip(Iterable<ByteBuffer> body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 8192)) {
            byte[] chunk = null;
            for (ByteBuffer part : body) {
                ByteBuffer view = part.duplicate();
                if (view.hasArray()) {
                    gzip.write(view.array(), view.arrayOffset() + view.position(), view.remaining());
                } else {
                    if (chunk == null) {
                        chunk = new byte[8192];
                    }
                    while (view.hasRemaining()) {
                        int n = Math.min(chunk.length, view.remaining());
                        view.get(chunk, 0, n);
                        gzip.write(chunk, 0, n);
                    }
                }
            }
        }
        return bytes.toByteArray();
    }

    private static String authorization(ElasticsearchSettings settings) {
        if (settings.apiKey() != null) {
            return "ApiKey " + settings.apiKey();
        }
        if (settings.username() != null) {
            String pair = settings.username() + ":" + settings.password();
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    private static SslProvider sslProvider(ElasticsearchSettings settings) {
        Path caFile = settings.caFile();
        if (caFile != null && !Files.isReadable(caFile)) {
            throw new IllegalArgumentException("elasticsearch.caFile: cannot read " + caFile);
        }
        // Set on the SslContext either way, so the behaviour doesn't depend on Netty's or Reactor Netty's defaults.
        String endpointIdentification = settings.verifyHostname() ? "HTTPS" : null;
        try {
            Http11SslContextSpec spec = Http11SslContextSpec.forClient().configure(builder -> {
                builder.endpointIdentificationAlgorithm(endpointIdentification);
                if (caFile != null) {
                    builder.trustManager(caFile.toFile());
                }
            });
            return SslProvider.builder().sslContext((SslProvider.GenericSslContextSpec<?>) spec).build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(caFile == null
                    ? "elasticsearch: cannot set up TLS: " + rootMessage(e)
                    : "elasticsearch.caFile: " + caFile + " is not a usable PEM CA certificate: " + rootMessage(e), e);
        }
    }

    private static Duration evictionInterval(ElasticsearchSettings settings) {
        Duration shortest = settings.maxIdleTime().compareTo(settings.maxLifeTime()) < 0
                ? settings.maxIdleTime() : settings.maxLifeTime();
        Duration half = shortest.dividedBy(2);
        Duration floor = Duration.ofMillis(10);
        Duration ceiling = Duration.ofSeconds(30);
        return half.compareTo(floor) < 0 ? floor : half.compareTo(ceiling) > 0 ? ceiling : half;
    }

    private static int saturatedMillis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }

    static String hostAndPort(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }

    private ElasticsearchConnectionException connectionFailure(Request request, String hostAndPort, Throwable e) {
        ElasticsearchConnectionException.Reason reason;
        String what;
        if (e instanceof ConnectTimeoutException) {
            reason = ElasticsearchConnectionException.Reason.CONNECT_TIMEOUT;
            what = "connect timed out after " + settings.connectTimeout() + " (connectTimeout)";
        } else if (e instanceof ConnectException) {
            reason = ElasticsearchConnectionException.Reason.CONNECTION_REFUSED;
            what = "connection refused";
        } else if (e instanceof UnknownHostException) {
            reason = ElasticsearchConnectionException.Reason.UNKNOWN_HOST;
            what = "unknown host";
        } else if (e instanceof ReadTimeoutException) {
            reason = ElasticsearchConnectionException.Reason.RESPONSE_TIMEOUT;
            what = "no response within " + settings.requestTimeout() + " (requestTimeout)";
        } else if (hasCause(e, SSLException.class)) {
            reason = ElasticsearchConnectionException.Reason.TLS;
            what = "TLS handshake failed: " + rootMessage(e)
                    + (settings.caFile() == null ? " (no caFile configured: the JVM's default trust store was used)"
                    : " (trusting " + settings.caFile() + ")");
        } else if (isPoolAcquireTimeout(e)) {
            reason = ElasticsearchConnectionException.Reason.POOL_ACQUIRE_TIMEOUT;
            what = "no pooled connection became free within " + settings.pendingAcquireTimeout()
                    + " (pendingAcquireTimeout; maxConnections=" + settings.maxConnections() + ")";
        } else if (e instanceof PrematureCloseException) {
            reason = ElasticsearchConnectionException.Reason.CONNECTION_CLOSED;
            what = "connection closed before the response was complete";
        } else {
            reason = ElasticsearchConnectionException.Reason.OTHER;
            what = rootMessage(e);
        }
        String message = "Elasticsearch request " + request.method() + " " + request.path() + " to " + hostAndPort
                + " failed: " + what;
        return new ElasticsearchConnectionException(message, hostAndPort, reason, e);
    }

    // The pool's exceptions live in a shaded, internal package of Reactor Netty: match by name, not by type.
    private static boolean isPoolAcquireTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getSimpleName().equals("PoolAcquireTimeoutException")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    /** A fully read response: the body is in memory, so {@link #close()} has nothing to release. */
    private static final class NettyResponse implements Response {
        private final Node node;
        private final int status;
        private final HttpHeaders headers;
        private final byte[] content;

        NettyResponse(Node node, HttpClientResponse response, byte[] content) {
            this.node = node;
            this.status = response.status().code();
            this.headers = response.responseHeaders();
            this.content = content;
        }

        @Override
        public Node node() {
            return node;
        }

        @Override
        public int statusCode() {
            return status;
        }

        @Override
        public String header(String name) {
            return headers.get(name);
        }

        @Override
        public List<String> headers(String name) {
            return headers.getAll(name);
        }

        @Override
        public BinaryData body() {
            String contentType = headers.get(HttpHeaderNames.CONTENT_TYPE);
            if (content.length == 0 && contentType == null) {
                return null;
            }
            return BinaryData.of(content, contentType == null ? "application/octet-stream" : contentType);
        }

        @Override
        public Object originalResponse() {
            return headers;
        }

        @Override
        public void close() {
            // Nothing to release: the body was copied out of Netty's buffers when it arrived.
        }
    }
}
