/**
 * The contract between the connectors runtime and a data source.
 *
 * <p>A source author implements {@link io.connectors.spi.DataSourceProvider} (registered in
 * {@code META-INF/services/io.connectors.spi.DataSourceProvider}) and {@link io.connectors.spi.BaseDataSource}, whose
 * {@code getDocs} streams {@link io.connectors.spi.SourceDocument}s; it gets a {@link io.connectors.spi.SourceContext}
 * and signals failures as {@link io.connectors.spi.SourceException}.
 *
 * <h2>Capabilities</h2>
 * Optional interfaces the runtime detects with {@code instanceof}; each has a consumer in the runtime:
 * <ul>
 *   <li>{@link io.connectors.spi.DeferredSource}: list by id and version, build only what changed (full syncs skip
 *       unchanged documents without building them).</li>
 *   <li>{@link io.connectors.spi.IncrementalSource}: changes since a saved {@link io.connectors.spi.SyncCursor}, as
 *       {@link io.connectors.spi.ChangeEvent}s (incremental jobs); an expired cursor is a
 *       {@link io.connectors.spi.CursorExpiredException} and leads to a full sync.</li>
 *   <li>{@link io.connectors.spi.SplittableSource}: divides a full read into {@link io.connectors.spi.SourceSplit}s,
 *       each readable from a {@link io.connectors.spi.SplitPosition} (parallel, resumable full syncs spread over
 *       daemons).</li>
 *   <li>{@link io.connectors.spi.RealtimeSource}: follows changes continuously ({@code realtime: true}).</li>
 *   <li>{@link io.connectors.spi.ChangeWatchingSource}: tells whether anything changed, so a scheduled sync of an
 *       unchanged source is skipped.</li>
 *   <li>{@link io.connectors.spi.MappingContributor}: the index mapping derived from the source's schema; a source
 *       without it is schemaless (see its javadoc for the index policy each gets).</li>
 *   <li>{@link io.connectors.spi.ResourceHoldingSource}: resources kept on the backend between jobs (a replication
 *       slot), listed by {@code connectors status} and dropped by {@code connectors sources drop-resources}.</li>
 *   <li>{@link io.connectors.spi.AccessControlSource}: identities for document-level security
 *       ({@code access_control} jobs, into {@code <index>-access-control}).</li>
 *   <li>{@link io.connectors.spi.rules.AdvancedRulesValidator}: checks a connector's advanced sync rules before a
 *       sync.</li>
 * </ul>
 * Binary content ({@link io.connectors.spi.LazyBody}, attached with {@link io.connectors.spi.SourceDocument.Builder#body})
 * is turned into text and metadata by the runtime when the connector extracts content: see {@code LazyBody}.
 * Types marked {@link io.connectors.spi.Incubating} ({@link io.connectors.spi.SchemaDiscoverySource}) have no
 * consumer yet and may change.
 *
 * <h2>Packages by concern</h2>
 * <ul>
 *   <li>{@code io.connectors.spi}: this contract and its capabilities.</li>
 *   <li>{@link io.connectors.spi.config}: declaring and reading configuration fields.</li>
 *   <li>{@link io.connectors.spi.network}: the network policy a source checks before connecting.</li>
 *   <li>{@link io.connectors.spi.rules}: sync rules.</li>
 *   <li>{@link io.connectors.spi.support}: helpers a source may use (throttling, mapping merges), not contract.</li>
 * </ul>
 * {@code config}, {@code rules} and {@code support} depend on nothing else in the SPI; {@code network} only on
 * {@link io.connectors.spi.SourceException} (ArchitectureTest checks).
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
 *   <li><b>Secrets.</b> Values of fields declared {@linkplain io.connectors.spi.config.ConfigField#sensitive() sensitive}
 *       never appear in messages, logs or documents.</li>
 * </ul>
 */
package io.connectors.spi;
