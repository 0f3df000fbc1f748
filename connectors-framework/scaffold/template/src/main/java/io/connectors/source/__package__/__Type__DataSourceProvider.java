package io.connectors.source.__package__;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceContext;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.util.List;

/**
 * The {@code __type__} source type. Found by the runtime with ServiceLoader, through
 * {@code src/main/resources/META-INF/services/io.connectors.spi.DataSourceProvider}.
 */
public final class __Type__DataSourceProvider implements DataSourceProvider {

    /** What users write as {@code type:} in config.yml; never change it once released. */
    public static final String TYPE = "__type__";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String displayName() {
        return "__Display__";
    }

    @Override
    public List<ConfigField> configFields() {
        return __Type__Config.FIELDS;
    }

    /** Called after the configuration passed the field checks; no I/O here (connect on subscription). */
    @Override
    public BaseDataSource create(SourceConfig config, SourceContext context) {
        return new __Type__DataSource(__Type__Config.from(config), context);
    }
}
