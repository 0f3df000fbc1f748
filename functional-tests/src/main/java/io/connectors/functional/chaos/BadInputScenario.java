package io.connectors.functional.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Malformed configuration files and command lines, through the real {@code bin/connectors}: each gets one clear
 * message naming what is wrong (the key, the option, the connector), no stack trace, and the documented exit code
 * (docs/cli.md). {@code BadInputTest} in the runtime covers more shapes in-process; this proves the packaged
 * command line behaves the same.
 */
final class BadInputScenario implements ChaosScenario {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** One input: a configuration file ({@code null}: a good one) and a command line, and what must be printed. */
    record Case(String what, String yaml, List<String> args, int exit, String expected) {
    }

    @Override
    public String name() {
        return "bad-input";
    }

    @Override
    public String fault() {
        return "Malformed config.yml (invalid YAML, wrong types, unknown keys, missing required fields, invalid cron,"
                + " unknown source type, bad URL) and bad command lines (unknown connector, command, option, value)";
    }

    static List<Case> cases(Path dataDir) {
        String good = """
                elasticsearch:
                  host: http://127.0.0.1:9
                connectors:
                  - id: docs
                    type: directory
                    configuration:
                      path: %s
                """.formatted(dataDir);
        List<String> check = List.of("config", "check", "--offline");
        return List.of(
                new Case("invalid YAML", "elasticsearch:\n  host: [http://x\n", check, 2, "not valid YAML at line"),
                new Case("wrong type (text for a number)", "bulk:\n  max_concurrent_requests: many\nconnectors: []\n",
                        check, 2, "bulk.max_concurrent_requests"),
                new Case("wrong type (connectors not a list)", "connectors:\n  id: docs\n", check, 2,
                        "connectors: expected a list of connectors"),
                new Case("unknown key", "bulk:\n  max_retry: 3\nconnectors: []\n", check, 2, "bulk.max_retry: unknown key"),
                new Case("missing required field",
                        "connectors:\n  - id: a\n    type: directory\n    configuration: {}\n", check, 2,
                        "connectors[0] (a).configuration.path: is required"),
                new Case("invalid cron", "connectors:\n  - id: a\n    type: directory\n    schedule: {full: 'every day'}\n"
                        + "    configuration: {path: /tmp}\n", check, 2, "connectors[0] (a).schedule.full: invalid cron"),
                new Case("unknown source type", "connectors:\n  - id: a\n    type: oracle\n    configuration: {}\n", check,
                        2, "connectors[0] (a).type: unknown source type 'oracle'"),
                new Case("bad URL", "elasticsearch:\n  host: 'ht tp://es'\nconnectors: []\n", check, 2,
                        "elasticsearch.host: 'ht tp://es' is not a valid URL"),
                new Case("every problem at once", "elasticsearch:\n  bogus: 1\nconnectors:\n  - id: a\n    type: oracle\n"
                        + "  - type: directory\n    configuration: {}\n", check, 2,
                        "elasticsearch.bogus: unknown key\n  - connectors[0] (a).type: unknown source type 'oracle'"),
                new Case("unknown connector", good, List.of("sync", "nope"), 2,
                        "error: no connector 'nope' in"),
                new Case("unknown command", good, List.of("synk"), 2, "Unmatched argument at index"),
                new Case("unknown option", good, List.of("sync", "--bogus"), 2, "error: Unknown option: '--bogus'"),
                new Case("bad option value", good, List.of("jobs", "start", "docs", "--timeout", "soon"), 2,
                        "'soon' is not a duration"),
                new Case("unknown job type", good, List.of("sync", "docs", "--type", "fast"), 2,
                        "unknown job type 'fast'"),
                new Case("Elasticsearch unreachable (a failure, not bad usage)", good, List.of("sync", "docs"), 1,
                        "Elasticsearch at http://127.0.0.1:9 cannot be used"));
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        Path work = context.work(name());
        Path data = Files.createDirectories(work.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        Cli cli = new Cli(context.home(), work, Map.of());
        ChaosResult.Builder result = ChaosResult.builder();
        int n = 0;
        int passed = 0;
        for (Case c : cases(data)) {
            Path file = work.resolve("config-" + (++n) + ".yml");
            Files.writeString(file, c.yaml());
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("-c", file.toString()),
                    c.args().stream()).toArray(String[]::new);
            Cli.Result r = cli.run(TIMEOUT, args);
            String printed = r.all();
            boolean ok = r.exit() == c.exit() && printed.contains(c.expected()) && !printed.contains("\tat ")
                    && !printed.contains("Exception");
            passed += ok ? 1 : 0;
            String firstLine = printed.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
            result.check(c.what() + ": exit " + c.exit() + " and a message naming it", ok,
                    "exit " + r.exit() + ", " + FaultKit.abbreviate(printed.contains(c.expected()) ? c.expected() : firstLine, 160));
        }
        return result.outcome(passed + " of " + n + " inputs refused with a message naming the key, option or connector,"
                        + " no stack trace, and the documented exit code")
                .documentsLost(0).build();
    }
}
