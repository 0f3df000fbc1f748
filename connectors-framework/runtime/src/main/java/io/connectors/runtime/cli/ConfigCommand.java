package io.connectors.runtime.cli;

import io.connectors.runtime.rules.RulesValidation;
import io.connectors.runtime.rules.SyncRulesValidator;
import java.util.List;

import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigReference;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.es.ClusterInfo;
import io.connectors.runtime.es.ElasticsearchClients;
import io.connectors.runtime.es.ElasticsearchHandle;
import io.connectors.spi.BaseDataSource;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import reactor.core.publisher.Mono;

/** {@code connectors config ...}: configuration tools. */
@Command(name = "config", description = "Configuration tools.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Reference.class})
final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code connectors config reference}: the configuration reference in Markdown, {@code docs/CONFIG.md}. Reads no
     * configuration file: it describes the defaults and the source types installed.
     */
    @Command(name = "reference", description = "Print the configuration reference (Markdown): every key with its "
            + "default, environment variable and meaning, the keys of a connector, and the fields of every source type "
            + "installed. docs/CONFIG.md is this output (make docs).")
    static final class Reference implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(ConfigReference.markdown(SourceRegistry.load()));
            out.flush();
        }
    }

    /** {@code connectors config check}: validates the file, then reaches Elasticsearch and every source. */
    @Command(name = "check", description = "Validate the configuration file, then check that Elasticsearch and every "
            + "connector's source can be reached (unless --offline). Exit code 0 when all is well.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        ConfigCommand config;

        @Spec
        CommandSpec spec;

        @Option(names = "--offline", description = "Only validate the file; contact nothing.")
        boolean offline;

        @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION",
                description = "Longest wait for each check (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        public Integer call() {
            ConnectorsCommand root = (ConnectorsCommand) config.spec.parent().userObject();
            ConnectorsConfig cfg = root.loadConfig(SourceRegistry.load());
            // Real-time connectors whose source cannot follow changes: a daemon refuses to start with them.
            Main.await(io.connectors.runtime.daemon.Daemon.checkCapabilities(cfg));
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s: valid, %d connector(s)%n", cfg.origin(), cfg.connectors().size());
            out.printf("  network: sources may reach %s%s; denied by default: %s%n",
                    cfg.network().restricted() ? "only " + cfg.network().allowedHosts() : "any host",
                    cfg.network().deniedHosts().isEmpty() ? "" : " except " + cfg.network().deniedHosts(),
                    io.connectors.spi.network.NetworkPolicy.DENIED_BY_DEFAULT.keySet());
            for (ConnectorConfig c : cfg.connectors()) {
                out.print(describe(c));
            }
            boolean rulesOk = true;
            for (ConnectorConfig c : cfg.connectors()) {
                List<String> problems = SyncRulesValidator.validateBasic(c.syncRules());
                if (!problems.isEmpty()) {
                    rulesOk = false;
                    out.printf("Connector %s: sync rules INVALID (a daemon will not use them): %s%n", c.id(), problems);
                }
            }
            out.flush();
            if (offline) {
                return rulesOk ? 0 : 1;
            }
            boolean ok = checkElasticsearch(cfg, out) && rulesOk;
            for (ConnectorConfig c : cfg.connectors()) {
                ok &= checkSource(c, out);
            }
            out.flush();
            return ok ? 0 : 1;
        }

        private boolean checkElasticsearch(ConnectorsConfig cfg, PrintWriter out) {
            if (cfg.elasticsearch().embeddedRequested()) {
                out.println(io.connectors.elasticsearch.local.LocalElasticsearchLauncher
                        .findRunning(cfg.elasticsearch().embedded().home())
                        .map(node -> "Elasticsearch: no host configured; the local one started by pid " + node.ownerPid()
                                + " runs at " + node.uri() + ", and `connectors run` and `connectors sync` use it")
                        .orElse("Elasticsearch: no host configured; `connectors run` and `connectors sync` start a local one"));
                return true;
            }
            try (ElasticsearchHandle es = ElasticsearchClients.create(cfg.elasticsearch().settingsFor(cfg.elasticsearch().hosts()))) {
                ClusterInfo info = Main.await(es.ping().timeout(timeout));
                out.printf("Elasticsearch %s: reachable, cluster '%s' (version %s) is %s%n", cfg.elasticsearch().hosts(),
                        info.clusterName(), info.version() == null ? "unknown" : info.version(), info.status());
                return true;
            } catch (RuntimeException e) {
                out.printf("Elasticsearch %s: FAILED: %s%n", cfg.elasticsearch().hosts(), rootMessage(e));
                return false;
            }
        }

        private boolean checkSource(ConnectorConfig c, PrintWriter out) {
            BaseDataSource source = c.provider().create(c.source(), c.context());
            try {
                Main.await(source.ping().then(source.validateConfig()).timeout(timeout));
                out.printf("Connector %s: source reachable and configuration valid%n", c.id());
                for (String warning : Main.await(source.configWarnings().timeout(timeout))) {
                    out.printf("Connector %s: warning: %s%n", c.id(), warning);
                }
                if (c.syncRules().hasAdvanced()) {
                    RulesValidation v = Main.await(SyncRulesValidator.validate(c.syncRules(), source, c.type()).timeout(timeout));
                    if (!v.isValid()) {
                        out.printf("Connector %s: advanced sync rules INVALID: %s%n", c.id(), v.messages());
                        return false;
                    }
                    out.printf("Connector %s: advanced sync rules valid%n", c.id());
                }
                return true;
            } catch (RuntimeException e) {
                out.printf("Connector %s: FAILED: %s%n", c.id(), rootMessage(e));
                return false;
            } finally {
                // Harmless: the check's result is printed above; a source that fails to close leaks nothing past exit.
                Main.await(source.close().onErrorResume(e -> Mono.empty()));
            }
        }

        private static String rootMessage(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null && (t.getMessage() == null || t instanceof java.util.concurrent.CompletionException
                    || t.getClass() == RuntimeException.class)) {
                t = t.getCause();
            }
            return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        }
    }

    /**
     * A connector in two lines, values in the file's syntax, secrets masked: {@code docs: directory into index
     * connectors-docs; full sync on "0 0/5 * * * ?"}, then its source fields.
     */
    static String describe(ConnectorConfig c) {
        StringBuilder sb = new StringBuilder("  ").append(c.id()).append(": ").append(c.type()).append(" into index ")
                .append(c.index());
        c.pipeline().ifPresent(p -> sb.append(" (pipeline ").append(p).append(')'));
        if (c.realtime()) {
            sb.append("; real time");
        }
        if (c.schedules().isEmpty()) {
            sb.append("; no schedule");
        }
        c.schedules().forEach((type, cron) -> sb.append("; ").append(type.replace('_', ' ')).append(" sync on \"")
                .append(cron).append('"'));
        sb.append(System.lineSeparator()).append("    ");
        java.util.Map<String, io.connectors.spi.config.FieldType> types = new java.util.HashMap<>();
        c.provider().configFields().forEach(f -> types.put(f.name(), f.type()));
        sb.append(c.source().masked().entrySet().stream()
                .map(e -> e.getKey() + ": " + io.connectors.spi.config.FieldFormat.show(
                        types.getOrDefault(e.getKey(), io.connectors.spi.config.FieldType.STRING), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", ")));
        return sb.append(System.lineSeparator()).toString();
    }
}
