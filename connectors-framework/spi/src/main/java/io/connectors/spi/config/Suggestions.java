package io.connectors.spi.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean ...": the known name closest to a misspelled one, for configuration errors. */
public final class Suggestions {
    private Suggestions() {
    }

    /**
     * The known name closest to {@code given} (case-insensitive edit distance), if it is close enough to be a typo: at
     * most 2 edits, or a fifth of the name's length for long names; else a known name that begins the given one or that it
     * begins ({@code user} for {@code username}).
     */
    public static Optional<String> closest(String given, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(given.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        if (best != null && bestDistance <= Math.max(2, given.length() / 5)) {
            return Optional.of(best);
        }
        // A longer or shorter spelling of a known name: username for user, db for database.
        String g = given.toLowerCase(Locale.ROOT);
        return known.stream().filter(k -> Math.min(k.length(), g.length()) >= 2)
                .filter(k -> g.startsWith(k.toLowerCase(Locale.ROOT)) || k.toLowerCase(Locale.ROOT).startsWith(g))
                .min(java.util.Comparator.comparingInt(k -> Math.abs(k.length() - g.length())));
    }

    /** {@code "; did you mean 'x'?"}, or nothing when no known name is close. */
    public static String didYouMean(String given, Collection<String> known) {
        return closest(given, known).map(k -> "; did you mean '" + k + "'?").orElse("");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
