package io.connectors.functional.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One line of the benchmark table: a measured value, the target for it (if any) and the verdict.
 *
 * @param key     stable name for the JSON ({@code full_sync_ratio})
 * @param label   what the Markdown table shows
 * @param value   the measured number, or {@code null} when the figure was not measured
 * @param display how the value is shown (with its unit and what it was computed from)
 * @param goal    which side of {@code target} passes
 * @param target  the target, or {@code null} for a figure without one
 * @param absence shown as the verdict when {@code value} is null ({@code n/a}, {@code not run})
 */
record Figure(String key, String label, Double value, String display, Goal goal, Double target, String absence) {

    /** Which side of the target passes. */
    enum Goal {
        AT_LEAST("≥"), AT_MOST("≤"), NONE("");

        private final String symbol;

        Goal(String symbol) {
            this.symbol = symbol;
        }

        String symbol() {
            return symbol;
        }
    }

    /** The outcome of a figure against its target. */
    enum Verdict { PASS, MISS, NONE, ABSENT }

    /** A figure without a target (a ceiling, a throughput). */
    static Figure info(String key, String label, double value, String display) {
        return new Figure(key, label, value, display, Goal.NONE, null, null);
    }

    /** A figure measured against a target. */
    static Figure target(String key, String label, double value, String display, Goal goal, double target) {
        return new Figure(key, label, value, display, goal, target, null);
    }

    /** A figure with a target that this run did not or could not measure; {@code why} says which. */
    static Figure absent(String key, String label, String why, Goal goal, Double target, String absence) {
        return new Figure(key, label, null, why, goal, target, absence);
    }

    Verdict verdict() {
        if (value == null) {
            return Verdict.ABSENT;
        }
        if (target == null || goal == Goal.NONE) {
            return Verdict.NONE;
        }
        boolean pass = goal == Goal.AT_LEAST ? value >= target : value <= target;
        return pass ? Verdict.PASS : Verdict.MISS;
    }

    /** {@code ≥ 0.9}, or a dash. */
    String targetText() {
        return target == null || goal == Goal.NONE ? "—" : goal.symbol() + " " + number(target);
    }

    /**
     * {@code PASS (0.05 above)}, {@code MISS by 0.12 (13% below the target)}, {@code MISS by 0.03 (30% over the
     * target)}, or the absence word.
     */
    String verdictText() {
        return switch (verdict()) {
            case ABSENT -> absence == null ? "—" : absence;
            case NONE -> "—";
            case PASS -> {
                double margin = Math.abs(value - target);
                yield margin == 0 ? "PASS (exactly on target)"
                        : "PASS (" + number(margin) + (goal == Goal.AT_LEAST ? " above)" : " under)");
            }
            case MISS -> {
                double by = Math.abs(value - target);
                String relative = target == 0 ? "" : String.format(Locale.ROOT, " (%.0f%% %s the target)",
                        100 * by / Math.abs(target), goal == Goal.AT_LEAST ? "below" : "over");
                yield "MISS by " + number(by) + relative;
            }
        };
    }

    /** The figure for the JSON report. */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key);
        m.put("label", label);
        m.put("value", value);
        m.put("display", display);
        if (target != null && goal != Goal.NONE) {
            m.put("target", Map.of("goal", goal == Goal.AT_LEAST ? "at_least" : "at_most", "value", target));
        }
        m.put("verdict", verdict() == Verdict.ABSENT ? absence : verdict().name());
        if (verdict() == Verdict.MISS) {
            m.put("missed_by", Math.abs(value - target));
        }
        m.put("verdict_text", verdictText());
        return m;
    }

    /** Ratios to two decimals, small ones to three. */
    static String number(double x) {
        double a = Math.abs(x);
        if (a != 0 && a < 0.095) {
            return String.format(Locale.ROOT, "%.3f", x);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", x);
        }
        return String.format(Locale.ROOT, "%.2f", x);
    }

    /** {@code 12,345 docs/s}. */
    static String rate(double docsPerSecond) {
        return String.format(Locale.ROOT, "%,.0f docs/s", docsPerSecond);
    }
}
