package io.connectors.spi;

import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.SourceConfig;
import java.util.List;

/**
 * Names a source type, declares its configuration, and creates configured {@link BaseDataSource} instances.
 *
 * <p>Found with {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/io.connectors.spi.DataSourceProvider}. It must have a public no-argument constructor,
 * be stateless and thread-safe. Two providers with the same {@link #type()} are a start-up error.
 */
public interface DataSourceProvider {

    /** The source type used in {@code config.yml} ({@code type: directory}); lower case, stable forever. */
    String type();

    /** A human-readable name, for the CLI and docs. */
    String displayName();

    /**
     * The configuration fields, declared once. From this declaration the runtime derives validation (errors
     * name the field), defaults, masking of sensitive values in logs and job records, and the generated
     * configuration reference. Order of the list is the display order unless {@link ConfigField#order()} says
     * otherwise.
     */
    List<ConfigField> configFields();

    /**
     * Creates a source for one connector. Called after {@code config} was validated against
     * {@link #configFields()}; must not do I/O (open connections lazily, on subscription).
     *
     * @throws ConfigValidationException if a combination of values is invalid in a way single fields could not
     *                                   express
     */
    BaseDataSource create(SourceConfig config, SourceContext context);

    /**
     * Whether a connector of this type extracts the text of documents' {@linkplain LazyBody bodies} when its
     * configuration does not say ({@code extract_content}). {@code true} for sources of files (a directory, a file
     * share, object storage), whose documents are mostly binary formats; {@code false} (the default) for sources of
     * records.
     */
    default boolean extractsContent() {
        return false;
    }
}
