package io.connectors.functional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one {@code make ftest} run did and found, written as {@code ftest-<source>.json} and {@code ftest-<source>.md}.
 * Filled in as the run goes, so a failed run still reports the steps it got through.
 */
final class FtestReport {
    private static final String[] COUNTS = {"seen", "indexed", "updated", "unchanged", "deleted", "dropped", "failed"};

    record Step(String name, double seconds, String detail) {
    }

    record SyncRun(String label, String status, String error, double seconds, Map<String, Long> counts,
                   double docsPerSecond, double bytesPerSecond, long peakRssBytes, long peakHeapBytes,
                   String heapNote, List<Map<String, Object>> progress) {
    }

    record VerificationRun(String label, double seconds, Verification result) {
    }

    record Check(String what, String expected, String actual, boolean passed) {
    }

    final Map<String, Object> run = new LinkedHashMap<>();
    final List<Step> steps = new ArrayList<>();
    final List<SyncRun> syncs = new ArrayList<>();
    final List<VerificationRun> verifications = new ArrayList<>();
    final List<Check> checks = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final List<String> failures = new ArrayList<>();

    void step(String name, Duration took, String detail) {
        steps.add(new Step(name, seconds(took), detail));
    }

    void sync(String label, SyncOutcome outcome, MemoryPeak memory, String heapNote, List<ProgressPoint> progress) {
        List<Map<String, Object>> points = new ArrayList<>();
        for (ProgressPoint p : progress) {
            if (!p.at().isBefore(outcome.started()) && !p.at().isAfter(outcome.finished())) {
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("at", p.at().toString());
                point.put("seen", p.seen());
                point.put("indexed", p.indexed());
                points.add(point);
            }
        }
        syncs.add(new SyncRun(label, outcome.status(), outcome.error(), seconds(outcome.duration()), outcome.counts(),
                outcome.docsPerSecond(), outcome.bytesPerSecond(), memory.rssBytes(), memory.heapBytes(), heapNote, points));
    }

    void verification(String label, Duration took, Verification result) {
        verifications.add(new VerificationRun(label, seconds(took), result));
        if (!result.equal()) {
            failures.add("the index differs from the source " + label + ": " + result.summary());
        }
    }

    /** Records a check; a failed one fails the run. */
    void check(String what, long expected, long actual) {
        boolean passed = expected == actual;
        checks.add(new Check(what, Long.toString(expected), Long.toString(actual), passed));
        if (!passed) {
            failures.add(what + ": expected " + expected + ", got " + actual);
        }
    }

    void check(String what, String expected, String actual) {
        boolean passed = expected.equals(actual);
        checks.add(new Check(what, expected, actual, passed));
        if (!passed) {
            failures.add(what + ": expected " + expected + ", got " + actual);
        }
    }

    void fail(String why) {
        failures.add(why);
    }

    boolean passed() {
        return failures.isEmpty();
    }

    void writeJson(Path file) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>(run);
        json.put("passed", passed());
        json.put("failures", failures);
        json.put("steps", steps);
        json.put("syncs", syncs);
        json.put("verifications", verifications);
        json.put("checks", checks);
        json.put("notes", notes);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Functional test: ").append(run.get("source")).append(" (").append(run.get("size")).append(", ")
                .append(String.format(Locale.ROOT, "%,d", ((Number) run.getOrDefault("documents", 0)).longValue()))
                .append(" documents)\n\n");
        md.append("**").append(passed() ? "PASSED" : "FAILED").append("**");
        if (!passed()) {
            md.append(":\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        md.append("\n\n");
        for (String key : List.of("date", "elasticsearch", "machine", "daemon_java_opts")) {
            if (run.containsKey(key)) {
                md.append("- ").append(key.replace('_', ' ')).append(": ").append(run.get(key)).append('\n');
            }
        }

        md.append("\n## Steps\n\n| Step | Wall time | |\n|---|---:|---|\n");
        for (Step s : steps) {
            md.append("| ").append(s.name()).append(" | ").append(String.format(Locale.ROOT, "%.1f s", s.seconds()))
                    .append(" | ").append(s.detail() == null ? "" : s.detail()).append(" |\n");
        }

        if (!syncs.isEmpty()) {
            md.append("\n## Syncs (the daemon's own counts)\n\n| Sync | Status | Wall time |");
            for (String c : COUNTS) {
                md.append(' ').append(c).append(" |");
            }
            md.append(" docs/s | MB/s | Peak RSS | Peak heap |\n|---|---|---:|");
            md.append("---:|".repeat(COUNTS.length)).append("---:|---:|---:|---:|\n");
            for (SyncRun s : syncs) {
                md.append("| ").append(s.label()).append(" | ").append(s.status())
                        .append(s.error() == null ? "" : ": " + s.error()).append(" | ")
                        .append(String.format(Locale.ROOT, "%.1f s", s.seconds())).append(" |");
                for (String c : COUNTS) {
                    md.append(' ').append(s.counts().getOrDefault(c, 0L)).append(" |");
                }
                md.append(String.format(Locale.ROOT, " %,.0f | %.1f | %s | %s |%n", s.docsPerSecond(),
                        s.bytesPerSecond() / 1e6, mib(s.peakRssBytes()), mib(s.peakHeapBytes())));
            }
            syncs.stream().filter(s -> s.heapNote() != null).findFirst()
                    .ifPresent(s -> md.append("\nPeak heap unavailable: ").append(s.heapNote()).append('\n'));
        }

        if (!verifications.isEmpty()) {
            md.append("\n## Verifications (index vs source: ids and content digests)\n\n"
                    + "| After | Result | Source | Index | Missing | Extra | Digest differs | Wall time |\n"
                    + "|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (VerificationRun v : verifications) {
                Verification r = v.result();
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d | %.1f s |%n", v.label(),
                        r.equal() ? "equal" : "**differs**", r.expected(), r.actual(), r.missing(), r.extra(),
                        r.digestDiffers(), v.seconds()));
            }
            for (VerificationRun v : verifications) {
                if (!v.result().equal()) {
                    md.append("\nFirst differences ").append(v.label()).append(":\n\n");
                    v.result().firstDifferences().forEach(d -> md.append("- `").append(d).append("`\n"));
                }
            }
        }

        if (!checks.isEmpty()) {
            md.append("\n## Checks\n\n| Check | Expected | Actual | |\n|---|---:|---:|---|\n");
            for (Check c : checks) {
                md.append("| ").append(c.what()).append(" | ").append(c.expected()).append(" | ").append(c.actual())
                        .append(" | ").append(c.passed() ? "ok" : "**FAILED**").append(" |\n");
            }
        }
        if (!notes.isEmpty()) {
            md.append("\n## Notes\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }
}
