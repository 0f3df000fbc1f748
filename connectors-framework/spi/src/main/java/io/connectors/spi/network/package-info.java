/**
 * Where a source may connect: {@link io.connectors.spi.network.NetworkPolicy}, set by the operator and handed to every
 * source in its {@link io.connectors.spi.SourceContext}, which a source checks for each host before connecting (and
 * for every new pooled connection); a refusal is a {@link io.connectors.spi.network.NetworkPolicyException}, a
 * {@link io.connectors.spi.SourceException} naming the configuration field, the host and the rule.
 */
package io.connectors.spi.network;
