package io.connectors.runtime.cli;

import io.connectors.runtime.SourceRegistry;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.config.ConfigField;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code connectors sources}: the source types found and their configuration fields; {@code sources drop-resources}
 * drops what a removed connector's source keeps on its backend.
 */
@Command(name = "sources", description = "List the source types found and their configuration fields.",
        subcommands = DropResources.class)
final class SourcesCommand implements Runnable {
    @ParentCommand
    ConnectorsCommand parent;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        SourceRegistry registry = SourceRegistry.load();
        if (registry.types().isEmpty()) {
            out.println("No source types found on the class path.");
            return;
        }
        for (DataSourceProvider p : registry.providers()) {
            out.printf("%s (%s)%n", p.type(), p.displayName());
            List<ConfigField> fields = p.configFields().stream().sorted(Comparator.comparingInt(ConfigField::order)).toList();
            for (ConfigField f : fields) {
                StringBuilder flags = new StringBuilder(f.type().name().toLowerCase(java.util.Locale.ROOT));
                if (f.required()) {
                    flags.append(", required");
                }
                if (f.sensitive()) {
                    flags.append(", sensitive");
                }
                // In the syntax the file takes (1mb, 30s), not Java's (1048576, PT30S).
                f.defaultOptional().ifPresent(d -> flags.append(", default ")
                        .append(io.connectors.spi.config.FieldFormat.show(f.type(), d)));
                out.printf("  %-22s %s%n  %-22s   %s%n", f.name(), flags, "", f.description());
            }
            out.println();
        }
        out.flush();
    }
}
