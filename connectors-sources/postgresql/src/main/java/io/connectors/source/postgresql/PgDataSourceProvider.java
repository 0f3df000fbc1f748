package io.connectors.source.postgresql;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceContext;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.util.List;

/** The {@code postgresql} source type: one document per row of the configured tables, or of the rules' queries. */
public final class PgDataSourceProvider implements DataSourceProvider {

    public static final String TYPE = "postgresql";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String displayName() {
        return "PostgreSQL";
    }

    @Override
    public List<ConfigField> configFields() {
        return PgConfig.FIELDS;
    }

    @Override
    public BaseDataSource create(SourceConfig config, SourceContext context) {
        return new PgDataSource(PgConfig.from(config), context);
    }
}
