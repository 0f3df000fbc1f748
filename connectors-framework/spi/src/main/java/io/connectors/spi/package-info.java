/**
 * The contract between the connectors runtime and a data source.
 *
 * <p>A source author implements {@link io.connectors.spi.DataSourceProvider} (registered in
 * {@code META-INF/services/io.connectors.spi.DataSourceProvider}) and {@link io.connectors.spi.BaseDataSource}.
 * Optional capabilities are separate interfaces the runtime detects with {@code instanceof}:
 * {@link io.connectors.spi.DeferredSource} (list by id and version, build only what changed),
 * {@link io.connectors.spi.IncrementalSource}, {@link io.connectors.spi.RealtimeSource},
 * {@link io.connectors.spi.ChangeWatchingSource}, {@link io.connectors.spi.AccessControlSource},
 * {@link io.connectors.spi.SchemaDiscoverySource}, {@link io.connectors.spi.AdvancedRulesValidator} and
 * {@link io.connectors.spi.MappingContributor}.
 *
 * <h2>Rules that hold for every method returning a {@code Mono} or {@code Flux}</h2>
 * <ul>
 *   <li><b>Laziness.</b> Nothing happens at assembly: no connection is opened, no file is read, until the
 *       returned publisher is subscribed to. The runtime may assemble a publisher and never subscribe.</li>
 *   <li><b>Re-subscription.</b> Subscribing twice does the work twice; the runtime relies on this to retry.</li>
 *   <li><b>Threading.</b> Methods may be called from any thread, including a Netty event loop. Never block
 *       the calling thread: wrap blocking APIs in {@code Mono.fromCallable(...).subscribeOn(Schedulers.boundedElastic())}.</li>
 *   <li><b>Backpressure.</b> A {@code Flux} emits no more than was requested; the runtime requests in
 *       bounded batches, so a source must not buffer its whole result set.</li>
 *   <li><b>Cancellation.</b> On cancel a source stops reading promptly and releases every connection,
 *       cursor and file handle it opened for that subscription ({@code Flux.usingWhen} does this).</li>
 *   <li><b>Errors.</b> Fatal problems are signalled as {@code onError} with a {@link io.connectors.spi.SourceException}
 *       whose message names what is wrong (host, table, file, field). Problems with one item (an unreadable
 *       file, a row that cannot be mapped) are logged, counted and skipped, not signalled.</li>
 *   <li><b>Secrets.</b> Values of fields declared {@linkplain io.connectors.spi.ConfigField#sensitive() sensitive}
 *       never appear in messages, logs or documents.</li>
 * </ul>
 */
package io.connectors.spi;
