package io.connectors.source.mongodb;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceContext;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.util.List;

/** The {@code mongodb} source type: one document per MongoDB document of the configured collections. */
public final class MongoDataSourceProvider implements DataSourceProvider {

    public static final String TYPE = "mongodb";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String displayName() {
        return "MongoDB";
    }

    @Override
    public List<ConfigField> configFields() {
        return MongoConfig.FIELDS;
    }

    @Override
    public BaseDataSource create(SourceConfig config, SourceContext context) {
        return new MongoDataSource(MongoConfig.from(config), context);
    }
}
