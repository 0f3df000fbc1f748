/**
 * How a source declares and reads its configuration: each field once ({@link io.connectors.spi.config.ConfigField},
 * typed by {@link io.connectors.spi.config.FieldType}), from which the runtime gets binding, validation, masking of
 * secrets and the configuration reference; {@link io.connectors.spi.config.SourceConfig} holds a connector's parsed
 * values; {@link io.connectors.spi.config.ConfigValidationException} reports every wrong field at once, each as a
 * {@link io.connectors.spi.config.FieldError}.
 *
 * <p>The runtime declares its own settings with the same {@code ConfigField}s, so sources and the daemon share one
 * syntax for durations and sizes. Depends on nothing else in the SPI.
 */
package io.connectors.spi.config;
