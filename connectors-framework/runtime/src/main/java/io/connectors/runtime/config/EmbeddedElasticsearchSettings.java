package io.connectors.runtime.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The local Elasticsearch started when no host is configured.
 *
 * @param version the distribution version; empty for the one the build was made with
 * @param home    where the distribution is unpacked and its data kept
 * @param heap    JVM heap, e.g. {@code 1g}
 * @param port    HTTP port; 0 picks a free one
 */
public record EmbeddedElasticsearchSettings(Optional<String> version, Path home, String heap, int port) {
}
