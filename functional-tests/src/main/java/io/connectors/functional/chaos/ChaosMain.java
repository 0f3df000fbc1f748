package io.connectors.functional.chaos;

import io.connectors.functional.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code make chaos [ONLY=name,...]}: injects each fault and bad input of {@link ElasticsearchFaults},
 * {@link SourceFaults} and {@link InputFaults} in turn and reports the outcome, the documents lost (must be 0) and
 * the recovery time, in {@code functional-tests/target/chaos/chaos.md} (the table docs/chaos.md reproduces).
 *
 * <p>Exit code 0 when every scenario passed, 1 otherwise, 2 on a usage error (an unknown scenario name).
 */
public final class ChaosMain {

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("chaos: " + e.getMessage());
            code = 2;
        } catch (Exception e) {
            System.err.println("chaos: the run could not complete: " + e);
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    static List<ChaosScenario> scenarios() {
        return Stream.of(ElasticsearchFaults.all(), SourceFaults.all(), InputFaults.all())
                .flatMap(List::stream).toList();
    }

    static List<ChaosScenario> select(List<ChaosScenario> all, String only) {
        if (only == null || only.isBlank()) {
            return all;
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String name : only.split(",")) {
            if (!name.isBlank()) {
                wanted.add(name.trim());
            }
        }
        Set<String> known = all.stream().map(ChaosScenario::name).collect(Collectors.toCollection(LinkedHashSet::new));
        List<String> unknown = wanted.stream().filter(n -> !known.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown scenario(s) " + unknown + "; known: " + String.join(", ", known));
        }
        return all.stream().filter(s -> wanted.contains(s.name())).toList();
    }

    static int run(String[] args) throws Exception {
        String only = null;
        for (int i = 0; i < args.length; i++) {
            if ("--only".equals(args[i]) && i + 1 < args.length) {
                only = args[++i];
            } else {
                throw new IllegalArgumentException("usage: ChaosMain [--only name,...] (make chaos [ONLY=name,...]);"
                        + " got " + Arrays.toString(args));
            }
        }
        List<ChaosScenario> selected = select(scenarios(), only);
        Path home = Path.of(System.getProperty("connectors.home", ".")).toAbsolutePath().normalize();
        Path out = home.resolve("functional-tests/target/chaos");
        Files.createDirectories(out);
        String opts = System.getenv("CHAOS_DAEMON_JAVA_OPTS");
        ChaosContext context = new ChaosContext(home, out,
                opts == null || opts.isBlank() ? DaemonProcess.LAUNCHER_JAVA_OPTS : opts.trim());

        Map<ChaosScenario, ChaosResult> results = new LinkedHashMap<>();
        Map<ChaosScenario, Duration> took = new LinkedHashMap<>();
        for (ChaosScenario scenario : selected) {
            context.say(scenario.name(), "%s", scenario.fault());
            Instant t = Instant.now();
            ChaosResult result;
            try {
                result = scenario.run(context);
            } catch (Exception | AssertionError e) {
                e.printStackTrace();
                result = ChaosResult.aborted(String.valueOf(e.getMessage() != null ? e.getMessage() : e));
            }
            results.put(scenario, result);
            took.put(scenario, Duration.between(t, Instant.now()));
            context.say(scenario.name(), "%s: %s", result.passed() ? "PASSED" : "FAILED", result.outcome());
            for (ChaosResult.Check c : result.checks()) {
                if (!c.passed()) {
                    context.say(scenario.name(), "  check failed: %s (%s)", c.what(), c.detail());
                }
            }
        }
        String markdown = markdown(results, took);
        Files.writeString(out.resolve("chaos.md"), markdown);
        System.out.println();
        System.out.println(markdown);
        boolean passed = results.values().stream().allMatch(ChaosResult::passed);
        System.out.println("chaos: " + (passed ? "PASSED" : "FAILED") + "; report: " + out.resolve("chaos.md"));
        return passed ? 0 : 1;
    }

    static String markdown(Map<ChaosScenario, ChaosResult> results, Map<ChaosScenario, Duration> took) {
        StringBuilder md = new StringBuilder("# make chaos\n\n");
        md.append("Run ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(".\n\n");
        md.append("| Scenario | Fault or input | Outcome | Documents lost | Recovery | Result |\n");
        md.append("| --- | --- | --- | --- | --- | --- |\n");
        results.forEach((s, r) -> md.append("| `").append(s.name()).append("` | ").append(cell(s.fault())).append(" | ")
                .append(cell(r.outcome())).append(" | ").append(r.documentsLost() < 0 ? "n/a" : r.documentsLost())
                .append(" | ").append(r.recovery() == null ? "n/a" : seconds(r.recovery())).append(" | ")
                .append(r.passed() ? "passed" : "**FAILED**").append(" |\n"));
        md.append("\n## Checks\n");
        results.forEach((s, r) -> {
            md.append("\n### ").append(s.name()).append(" (").append(seconds(took.get(s))).append(")\n\n");
            for (ChaosResult.Check c : r.checks()) {
                md.append("- ").append(c.passed() ? "ok" : "**FAILED**").append(": ").append(c.what());
                if (c.detail() != null && !c.detail().isBlank()) {
                    md.append(" (").append(c.detail()).append(")");
                }
                md.append("\n");
            }
            r.notes().forEach(n -> md.append("- note: ").append(n).append("\n"));
        });
        return md.toString();
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }

    private ChaosMain() {
    }

}
