package io.connectors.spi;

/**
 * Where a source reports measurements of its backend that operators watch (a replication slot's retained WAL, a
 * stream's lag): the daemon exports each as a gauge {@code connectors_source_<name>} labelled with the connector, on
 * its metrics endpoint. Names are the source's: lower case, letters, digits and {@code _}, stable across versions,
 * documented with the source; values are plain numbers in base units (bytes, seconds). Thread-safe, cheap, never
 * blocking: call it from any thread as often as the value is measured.
 */
@FunctionalInterface
public interface SourceMetrics {
    /** Reports nothing: tests, one-shot commands. */
    SourceMetrics NONE = (name, description, value) -> {
    };

    /**
     * The latest value of a measurement.
     *
     * @param name        the gauge's name without prefix, e.g. {@code postgresql_slot_retained_wal_bytes}
     * @param description what it measures, in one sentence (used the first time the name is seen)
     * @param value       the value now; {@link Double#NaN} when it is no longer known
     */
    void gauge(String name, String description, double value);
}
