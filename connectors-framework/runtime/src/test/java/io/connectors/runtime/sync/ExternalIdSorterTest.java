package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalIdSorterTest {
    @TempDir
    Path dir;

    @Test
    void membershipAcrossSpilledRunsMatchesASet() throws Exception {
        Random random = new Random(42);
        List<String> added = new ArrayList<>();
        for (int i = 0; i < 25_000; i++) {
            added.add("doc-" + random.nextInt(1_000_000) + (i % 7 == 0 ? "/ü€𝄞" : ""));
        }
        added.add(added.get(5)); // a duplicate
        Collections.shuffle(added, random);
        TreeSet<byte[]> expected = new TreeSet<>(ExternalIdSorter.ORDER);
        added.forEach(id -> expected.add(id.getBytes(StandardCharsets.UTF_8)));

        TreeSet<byte[]> probes = new TreeSet<>(ExternalIdSorter.ORDER);
        probes.addAll(expected);
        for (int i = 0; i < 5_000; i++) {
            probes.add(("doc-" + random.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8));
        }

        try (ExternalIdSorter sorter = new ExternalIdSorter(dir, 1_000)) {
            added.forEach(sorter::add);
            assertThat(sorter.spilledRuns()).isGreaterThanOrEqualTo(25);
            try (ExternalIdSorter.Cursor cursor = sorter.cursor()) {
                for (byte[] probe : probes) {
                    assertThat(cursor.contains(probe)).as(new String(probe, StandardCharsets.UTF_8)).isEqualTo(expected.contains(probe));
                }
            }
        }
        try (var files = Files.list(dir)) {
            assertThat(files).as("spilled files are deleted").isEmpty();
        }
    }

    @Test
    void orderIsUnsignedUtf8LikeElasticsearchKeywords() {
        // U+FF5E sorts before U+1D11E in UTF-8 bytes, but after it in Java's UTF-16 String order.
        byte[] bmp = "\uFF5E".getBytes(StandardCharsets.UTF_8);
        byte[] supplementary = "𝄞".getBytes(StandardCharsets.UTF_8);
        assertThat(ExternalIdSorter.ORDER.compare(bmp, supplementary)).isNegative();
        assertThat("\uFF5E".compareTo("𝄞")).isPositive();
    }

    @Test
    void emptySetContainsNothing() {
        try (ExternalIdSorter sorter = new ExternalIdSorter(dir, 10); ExternalIdSorter.Cursor c = sorter.cursor()) {
            assertThat(c.contains("a")).isFalse();
        }
    }
}
