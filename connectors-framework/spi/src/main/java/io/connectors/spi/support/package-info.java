/**
 * Helpers for source implementations that are not part of the contract: a source may use them or not.
 *
 * <p>{@link io.connectors.spi.support.Throttle} bounds a connector's concurrent operations and round trips per second
 * without blocking a thread (used by the MongoDB and PostgreSQL sources).
 */
package io.connectors.spi.support;
