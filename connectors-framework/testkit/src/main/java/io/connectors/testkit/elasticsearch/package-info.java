/**
 * Elasticsearch for tests.
 *
 * <p>{@link io.connectors.testkit.elasticsearch.TestElasticsearch#get()} gives every integration test in a JVM the
 * same cluster: the one named by {@code ES_URL}, else a Testcontainers container where a Docker engine answers,
 * else a local process started by the product's {@link io.connectors.elasticsearch.local.LocalElasticsearchLauncher}
 * (module {@code connectors-framework/elasticsearch-local}, also what {@code make run} uses) from the
 * {@code integ-test-zip} distribution in the local Maven repository.
 */
package io.connectors.testkit.elasticsearch;
