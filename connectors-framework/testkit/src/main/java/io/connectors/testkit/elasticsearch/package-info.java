/**
 * Elasticsearch for tests and for {@code make run}.
 *
 * <p>{@link io.connectors.testkit.elasticsearch.TestElasticsearch#get()} gives every integration test in a JVM the
 * same cluster: the one named by {@code ES_URL}, else a Testcontainers container where a Docker engine answers,
 * else a local process started by {@link io.connectors.testkit.elasticsearch.LocalElasticsearchLauncher} from the
 * {@code integ-test-zip} distribution in the local Maven repository.
 */
package io.connectors.testkit.elasticsearch;
