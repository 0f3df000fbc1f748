package io.connectors.runtime.sink;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.transport.TransportException;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import io.connectors.runtime.util.Failures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/** A {@link BulkClient} writing to one index through the Elasticsearch Java API client. */
public final class ElasticsearchBulkClient implements BulkClient {
    private final ElasticsearchAsyncClient client;
    private final String index;
    private final String pipeline;

    /**
     * @param client   the client; its transport's connection errors should surface as {@link IOException} or
     *                 {@link TimeoutException} so they are retried
     * @param index    the target index (or alias)
     * @param pipeline the ingest pipeline run on every document, or {@code null}
     */
    public ElasticsearchBulkClient(ElasticsearchAsyncClient client, String index, String pipeline) {
        this.client = Objects.requireNonNull(client, "client");
        this.index = Objects.requireNonNull(index, "index");
        this.pipeline = pipeline == null || pipeline.isBlank() ? null : pipeline;
    }

    @Override
    public Mono<List<ItemResult>> bulk(List<BulkOp> ops) {
        return Mono.fromFuture(() -> client.bulk(b -> {
                    b.index(index).operations(operations(ops));
                    if (pipeline != null) {
                        b.pipeline(pipeline);
                    }
                    return b;
                }))
                .map(ElasticsearchBulkClient::items)
                .onErrorMap(e -> !(e instanceof BulkRequestException), ElasticsearchBulkClient::toBulkRequestException);
    }

    private static List<BulkOperation> operations(List<BulkOp> ops) {
        List<BulkOperation> out = new ArrayList<>(ops.size());
        for (BulkOp op : ops) {
            if (op instanceof BulkOp.Index i) {
                // The source is already serialized: BinaryData goes into the NDJSON body as is.
                BinaryData source = BinaryData.of(i.source(), ContentType.APPLICATION_JSON);
                out.add(BulkOperation.of(o -> o.index(x -> x.id(i.id()).document(source))));
            } else {
                out.add(BulkOperation.of(o -> o.delete(x -> x.id(op.id()))));
            }
        }
        return out;
    }

    private static List<ItemResult> items(BulkResponse response) {
        List<ItemResult> out = new ArrayList<>(response.items().size());
        for (BulkResponseItem item : response.items()) {
            ErrorCause error = item.error();
            out.add(new ItemResult(item.id(), item.status(), item.result(),
                    error == null ? null : error.type(), error == null ? null : error.reason()));
        }
        return out;
    }

    static BulkRequestException toBulkRequestException(Throwable e) {
        Throwable t = Failures.unwrap(e);
        if (t instanceof ElasticsearchException ee) {
            ErrorCause cause = ee.error();
            String what = cause == null ? ee.getMessage() : cause.type() + ": " + cause.reason();
            return new BulkRequestException(ee.status(), "_bulk answered " + ee.status() + ": " + what,
                    retryableStatus(ee.status()), ee);
        }
        if (t instanceof TransportException te) {
            return new BulkRequestException(te.statusCode(), "_bulk answered " + te.statusCode() + ": "
                    + te.getMessage(), retryableStatus(te.statusCode()), te);
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof TimeoutException
                    || c instanceof io.netty.handler.timeout.TimeoutException) {
                return new BulkRequestException(0, "_bulk got no response: " + describe(c), true, t);
            }
        }
        return new BulkRequestException(0, "_bulk failed: " + describe(t), false, t);
    }

    private static boolean retryableStatus(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    private static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
