package io.connectors.testkit.functional;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** Helpers for {@link SourceFixture#mutate}: choosing which of the loaded documents to change. */
public final class FixtureSampling {
    private FixtureSampling() {
    }

    /**
     * Picks {@code n} distinct numbers below {@code bound} that are set in {@code live} and not yet in {@code chosen},
     * adding each to {@code chosen} (so picks for updates and then deletes never overlap). Deterministic for a given
     * random; the caller checks that enough live numbers remain.
     */
    public static List<Integer> pick(SplittableRandom random, int n, int bound, BitSet live, Set<Integer> chosen) {
        List<Integer> picked = new ArrayList<>(n);
        while (picked.size() < n) {
            int i = random.nextInt(bound);
            if (live.get(i) && chosen.add(i)) {
                picked.add(i);
            }
        }
        return picked;
    }
}
