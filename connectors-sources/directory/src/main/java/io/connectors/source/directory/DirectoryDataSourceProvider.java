package io.connectors.source.directory;

import io.connectors.spi.BaseDataSource;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.SourceContext;
import io.connectors.spi.config.ConfigField;
import io.connectors.spi.config.SourceConfig;
import java.util.List;

/** The {@code directory} source type: one document per regular file of a directory tree. */
// tag::provider[]
public final class DirectoryDataSourceProvider implements DataSourceProvider {

    public static final String TYPE = "directory";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String displayName() {
        return "Directory";
    }

    @Override
    public List<ConfigField> configFields() {
        return DirectoryConfig.FIELDS;
    }

    /** Files: PDFs, Office documents and the like are what people point a directory connector at. */
    @Override
    public boolean extractsContent() {
        return true;
    }

    @Override
    public BaseDataSource create(SourceConfig config, SourceContext context) {
        return new DirectoryDataSource(DirectoryConfig.from(config), context);
    }
}
// end::provider[]
