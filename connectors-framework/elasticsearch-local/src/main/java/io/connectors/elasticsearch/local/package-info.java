/**
 * A local Elasticsearch node, part of the product: {@code make run} and the daemon's embedded default start one when
 * no cluster is configured, and the test kit starts one for the tests.
 *
 * <p>{@link io.connectors.elasticsearch.local.ElasticsearchDistribution} finds the {@code integ-test-zip}
 * distribution in the local Maven repository ({@link io.connectors.elasticsearch.local.MavenLocalRepository}),
 * {@link io.connectors.elasticsearch.local.DistributionUnpacker} unpacks it once per version,
 * {@link io.connectors.elasticsearch.local.JavaHomeSelector} picks a JDK it runs on, and
 * {@link io.connectors.elasticsearch.local.LocalElasticsearchLauncher} writes the node's configuration and runs its
 * process (as an unprivileged user when started as root: {@link io.connectors.elasticsearch.local.UnprivilegedUser}),
 * giving an {@link io.connectors.elasticsearch.local.ElasticsearchEndpoint}. Depends on no test library.
 */
package io.connectors.elasticsearch.local;
