/**
 * Sync rules: which documents a connector keeps. {@link io.connectors.spi.rules.SyncRules} carries the basic rules
 * ({@link io.connectors.spi.rules.BasicRule}), applied by the runtime to every document, and the advanced rules, a
 * source-specific JSON value a source that implements {@link io.connectors.spi.rules.AdvancedRulesValidator} checks
 * before a sync and applies in its own reads (PostgreSQL: per-table queries; MongoDB: aggregation pipelines). Depends
 * on nothing else in the SPI.
 */
package io.connectors.spi.rules;
