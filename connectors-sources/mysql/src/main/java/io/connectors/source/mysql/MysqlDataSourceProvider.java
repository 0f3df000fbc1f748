package io.connectors.source.mysql;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceContext;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.util.List;

/**
 * The {@code mysql} source type. Found by the runtime with ServiceLoader, through
 * {@code src/main/resources/META-INF/services/io.connectors.spi.DataSourceProvider}.
 */
public final class MysqlDataSourceProvider implements DataSourceProvider {

    /** What users write as {@code type:} in config.yml; never change it once released. */
    public static final String TYPE = "mysql";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String displayName() {
        return "MySQL / MariaDB";
    }

    @Override
    public List<ConfigField> configFields() {
        return MysqlConfig.FIELDS;
    }

    /** Called after the configuration passed the field checks; no I/O here (connect on subscription). */
    @Override
    public BaseDataSource create(SourceConfig config, SourceContext context) {
        return new MysqlDataSource(MysqlConfig.from(config), context);
    }
}
