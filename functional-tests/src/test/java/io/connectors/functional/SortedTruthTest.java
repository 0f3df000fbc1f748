package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.runtime.sync.DocIds;
import io.connectors.testkit.functional.SourceFixture.Truth;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SortedTruthTest {
    @TempDir
    Path dir;

    private static int unsigned(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static List<SortedTruth.Entry> drain(SortedTruth truth) {
        List<SortedTruth.Entry> entries = new ArrayList<>();
        truth.forEachRemaining(entries::add);
        return entries;
    }

    @Test
    void ordersByTheIdsTheRuntimeStoresLongIdsIncluded() throws Exception {
        // Ids longer than 512 bytes become sha256-<hex>, which sorts elsewhere; chunks of 2 force several spills.
        List<Truth> truth = new ArrayList<>();
        for (String prefix : List.of("a", "b", "m", "s", "sha", "z", "é", "𝄞")) {
            truth.add(new Truth(prefix + "/short", "d-" + prefix));
            truth.add(new Truth(prefix + "/" + "x".repeat(600), "long-" + prefix));
        }
        truth.sort((x, y) -> unsigned(x.id(), y.id()));

        try (SortedTruth sorted = SortedTruth.of(truth.iterator(), dir, 2)) {
            List<SortedTruth.Entry> entries = drain(sorted);
            assertThat(sorted.count()).isEqualTo(truth.size());
            List<String> expected = truth.stream().map(t -> DocIds.normalize(t.id())).sorted(SortedTruthTest::unsigned).toList();
            assertThat(entries).extracting(SortedTruth.Entry::id).containsExactlyElementsOf(expected);
            SortedTruth.Entry longM = entries.stream().filter(e -> e.sourceId().equals("m/" + "x".repeat(600))).findFirst().orElseThrow();
            assertThat(longM.normalized()).isTrue();
            assertThat(longM.id()).startsWith("sha256-");
            assertThat(longM.digest()).isEqualTo("long-m");
            assertThat(entries).filteredOn(e -> e.sourceId().equals("é/short"))
                    .singleElement().satisfies(e -> assertThat(e.normalized()).isFalse());
        }
    }

    @Test
    void refusesATruthOutOfOrderOrWithAnIdTwice() {
        // String.compareTo (UTF-16) puts U+1D11E before U+FFFD; unsigned UTF-8 bytes put it after.
        List<Truth> utf16Order = List.of(new Truth("𝄞", "1"), new Truth("\uFFFD", "2"));
        assertThat(utf16Order.get(0).id().compareTo(utf16Order.get(1).id())).isNegative();
        assertThatThrownBy(() -> SortedTruth.of(utf16Order.iterator(), dir, 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not in ascending order");
        List<Truth> twice = List.of(new Truth("a", "1"), new Truth("a", "2"));
        assertThatThrownBy(() -> SortedTruth.of(twice.iterator(), dir, 10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("twice");
    }

    @Test
    void anEmptyTruth() throws Exception {
        try (SortedTruth sorted = SortedTruth.of(List.<Truth>of().iterator(), dir, 10)) {
            assertThat(sorted.hasNext()).isFalse();
            assertThat(sorted.count()).isZero();
        }
    }
}
