package io.connectors.runtime;

import io.connectors.spi.DataSourceProvider;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The source types found on the class path through {@link ServiceLoader}. */
public final class SourceRegistry {
    private final Map<String, DataSourceProvider> byType;

    private SourceRegistry(Map<String, DataSourceProvider> byType) {
        this.byType = Collections.unmodifiableMap(byType);
    }

    /**
     * Loads every {@link DataSourceProvider} visible to the class loader.
     *
     * @throws IllegalStateException naming the type and both classes when two providers claim one type, or
     *                               naming the class when a provider cannot be instantiated
     */
    public static SourceRegistry load(ClassLoader loader) {
        Map<String, DataSourceProvider> found = new TreeMap<>();
        try {
            for (DataSourceProvider p : ServiceLoader.load(DataSourceProvider.class, loader)) {
                DataSourceProvider previous = found.putIfAbsent(p.type(), p);
                if (previous != null) {
                    throw new IllegalStateException("source type '" + p.type() + "' is provided twice: by "
                            + previous.getClass().getName() + " and by " + p.getClass().getName());
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("a source provider could not be loaded: " + e.getMessage(), e);
        }
        return new SourceRegistry(found);
    }

    public static SourceRegistry load() {
        return load(SourceRegistry.class.getClassLoader());
    }

    public static SourceRegistry of(List<DataSourceProvider> providers) {
        Map<String, DataSourceProvider> m = new TreeMap<>();
        for (DataSourceProvider p : providers) {
            if (m.putIfAbsent(p.type(), p) != null) {
                throw new IllegalStateException("source type '" + p.type() + "' is provided twice");
            }
        }
        return new SourceRegistry(m);
    }

    public Optional<DataSourceProvider> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /** Known types, sorted. */
    public List<String> types() {
        return List.copyOf(byType.keySet());
    }

    public List<DataSourceProvider> providers() {
        return List.copyOf(byType.values());
    }
}
