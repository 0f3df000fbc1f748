package io.connectors.runtime.cli;

import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorsConfig;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code connectors}: the top-level command, holding the options every subcommand shares. */
@Command(name = "connectors", mixinStandardHelpOptions = true, version = "connectors 0.1.0",
        description = "Keeps Elasticsearch indices in sync with external data sources.",
        subcommands = {RunCommand.class, SyncCommand.class, JobsCommand.class, StatusCommand.class,
                ControlCommands.Pause.class, ControlCommands.Resume.class, ControlCommands.Restart.class,
                SourcesCommand.class, ConfigCommand.class})
final class ConnectorsCommand implements Runnable {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "The configuration file (default: $CONNECTORS_CONFIG, else ./config.yml).")
    Path config;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    Path configPath() {
        if (config != null) {
            return config;
        }
        String env = System.getenv("CONNECTORS_CONFIG");
        return Path.of(env == null || env.isBlank() ? "config.yml" : env);
    }

    ConnectorsConfig loadConfig(SourceRegistry registry) {
        return ConfigLoader.load(configPath(), System.getenv(), registry);
    }
}
