/**
 * A local Elasticsearch node, part of the product: {@code make run} and the daemon's embedded default start one when
 * no cluster is configured, and the test kit starts one for the tests.
 *
 * <p>{@link io.connectors.elasticsearch.local.ElasticsearchDistribution} finds the {@code integ-test-zip}
 * distribution in the local Maven repository ({@link io.connectors.elasticsearch.local.MavenLocalRepository}),
 * {@link io.connectors.elasticsearch.local.DistributionUnpacker} unpacks it once per version,
 * {@link io.connectors.elasticsearch.local.JavaHomeSelector} picks a JDK it runs on, and
 * {@link io.connectors.elasticsearch.local.LocalElasticsearchLauncher} holds the node's lifecycle (prepare, start,
 * wait for health, stop) and gives an {@link io.connectors.elasticsearch.local.ElasticsearchEndpoint}. Its parts:
 * {@code NodeConfiguration} (the node's settings and roles as text), {@code NodeTools} (the distribution's tools, run
 * as the node's user), {@code NodeSecurity} (superuser, HTTPS certificates, file-realm users), {@code NodeProcesses}
 * (ports file, log tail, stale pid files, stopping processes) and
 * {@link io.connectors.elasticsearch.local.UnprivilegedUser} (the node runs as {@code nobody} when started as root).
 * Depends on no test library.
 */
package io.connectors.elasticsearch.local;
