package io.connectors.runtime.cli;

import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.util.Failures;
import io.connectors.spi.BaseDataSource;
import io.connectors.spi.ResourceHoldingSource;
import io.connectors.spi.SourceResource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the connectors of a configuration keep on their backends between jobs ({@link ResourceHoldingSource}), as
 * {@code connectors status} shows it: each source is created with its connector's context, asked with a timeout, and
 * closed again.
 */
final class SourceResources {
    private static final Logger LOG = LoggerFactory.getLogger(SourceResources.class);
    /** How long one source may take to list its resources: a backend that does not answer must not stall status. */
    static final Duration LIST_TIMEOUT = Duration.ofSeconds(15);
    /** Sources asked at once: each opens a connection to its backend. */
    private static final int CONCURRENCY = 4;

    private SourceResources() {
    }

    /**
     * One connector's answer: its resources, or why it could not say.
     *
     * @param error what went wrong, in the source's words; {@code null} when {@code resources} is the answer
     */
    record Listing(String connectorId, String type, List<SourceResource> resources, String error) {
        boolean failed() {
            return error != null;
        }

        /** As {@code --json} shows it: {@code {"resources": [...]}} or {@code {"error": "..."}}. */
        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            if (failed()) {
                json.put("error", error);
                return json;
            }
            json.put("resources", resources.stream().map(r -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("kind", r.kind());
                one.put("name", r.name());
                one.put("details", r.details());
                one.put("warnings", r.warnings());
                return one;
            }).toList());
            return json;
        }
    }

    /**
     * The listings of those of {@code connectors} whose source holds resources, in their order. A connector whose
     * source cannot be created is left out (logged): the daemon's start-up check records why in its status.
     */
    static Mono<List<Listing>> list(List<ConnectorConfig> connectors, Duration timeout) {
        return Flux.fromIterable(connectors)
                .flatMapSequential(c -> list(c, timeout), CONCURRENCY)
                .collectList();
    }

    /** The connector's listing; empty when its source holds no resources (or cannot be created). */
    static Mono<Listing> list(ConnectorConfig c, Duration timeout) {
        return withSource(c, holding -> holding.resources()
                        .timeout(timeout)
                        .map(resources -> new Listing(c.id(), c.type(), List.copyOf(resources), null))
                        .onErrorResume(e -> Mono.just(new Listing(c.id(), c.type(), List.of(), describe(e, timeout)))))
                .onErrorResume(e -> {
                    LOG.warn("Connector {}: its source cannot be created, so its resources are not listed: {}", c.id(),
                            Failures.describe(e));
                    return Mono.empty();
                });
    }

    /**
     * Creates the connector's source (with its context, reporting no metrics), applies {@code use} when it holds
     * resources (empty otherwise), and closes it whatever happens. Fails when the source cannot be created.
     */
    static <T> Mono<T> withSource(ConnectorConfig c, Function<ResourceHoldingSource, Mono<T>> use) {
        return Mono.usingWhen(
                Mono.fromCallable(() -> c.provider().create(c.source(), c.context())),
                source -> source instanceof ResourceHoldingSource holding ? use.apply(holding) : Mono.empty(),
                source -> close(c, source),
                (source, e) -> close(c, source),
                source -> close(c, source));
    }

    /** Whether the connector's source holds resources at all; fails when it cannot be created. */
    static Mono<Boolean> holdsResources(ConnectorConfig c) {
        return withSource(c, holding -> Mono.just(true)).defaultIfEmpty(false);
    }

    private static Mono<Void> close(ConnectorConfig c, BaseDataSource source) {
        // What was listed stands: a source that fails to close is logged, and the command goes on.
        return source.close().onErrorResume(e -> {
            LOG.warn("Connector {}: closing its source failed: {}", c.id(), Failures.describe(e));
            return Mono.empty();
        });
    }

    /** A failure in words, a timeout as the time waited (not Reactor's operator wording). */
    static String describe(Throwable e, Duration timeout) {
        return Failures.unwrap(e) instanceof TimeoutException
                ? "no answer within " + (timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + "s" : timeout.toMillis() + "ms")
                : Failures.describe(e);
    }

    /**
     * The {@code SOURCE RESOURCES} table: a line per resource (connector, kind, name, details as {@code key=value},
     * warnings), a line for a connector that holds none, a line naming the error of one that could not be asked.
     * Empty when there is no listing.
     */
    static String table(List<Listing> listings) {
        if (listings.isEmpty()) {
            return "";
        }
        String format = "%-20s %-18s %-32s %-60s %s%n";
        StringBuilder sb = new StringBuilder(System.lineSeparator()).append("SOURCE RESOURCES").append(System.lineSeparator())
                .append(String.format(Locale.ROOT, format, "CONNECTOR", "KIND", "NAME", "DETAILS", "WARNINGS"));
        for (Listing l : listings) {
            if (l.failed()) {
                sb.append(String.format(Locale.ROOT, "%-20s error: %s%n", l.connectorId(), l.error()));
            } else if (l.resources().isEmpty()) {
                sb.append(String.format(Locale.ROOT, format, l.connectorId(), "-", "-", "(holds none)", ""));
            }
            for (SourceResource r : l.resources()) {
                sb.append(String.format(Locale.ROOT, format, l.connectorId(), r.kind(), r.name(), details(r.details()),
                        String.join("; ", r.warnings())));
            }
        }
        return sb.toString();
    }

    /** {@code key=value} pairs in the source's order. */
    static String details(Map<String, Object> details) {
        return details.isEmpty() ? "-" : details.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
