package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StampTableTest {
    @TempDir
    Path dir;

    @Test
    void comparesEveryStoredIdExactlyAndReportsTheUnclaimedOnes() throws Exception {
        Random random = new Random(7);
        Map<String, String> stored = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            stored.put(randomId(random, i), random.nextInt(5) == 0 ? null : "fp:" + random.nextLong());
        }
        try (StampTable table = new StampTable(dir, stored.size())) {
            stored.forEach(table::add);
            table.loaded();
            assertThat(table.size()).isEqualTo(stored.size());

            Set<String> claimed = ConcurrentHashMap.newKeySet();
            List<String> ids = new ArrayList<>(stored.keySet());
            // From several threads at once, as the workers do.
            IntStream.range(0, ids.size()).parallel().forEach(i -> {
                String id = ids.get(i);
                String stamp = stored.get(id);
                switch (i % 4) {
                    case 0 -> {
                        StampTable.Match m = table.compare(id, stamp);
                        assertThat(m).isEqualTo(stamp == null ? StampTable.Match.CHANGED : StampTable.Match.UNCHANGED);
                        if (m == StampTable.Match.UNCHANGED) {
                            claimed.add(id);
                        }
                    }
                    case 1 -> assertThat(table.compare(id, "fp:other")).isEqualTo(StampTable.Match.CHANGED);
                    case 2 -> {
                        table.claim(id);
                        claimed.add(id);
                    }
                    default -> {
                        // neither compared nor claimed: reported as unclaimed
                    }
                }
            });
            assertThat(table.compare("never-stored", "fp:1")).isEqualTo(StampTable.Match.NEW);

            Set<String> unclaimed = new HashSet<>();
            for (int slot = table.nextUnclaimed(0); slot >= 0; slot = table.nextUnclaimed(slot + 1)) {
                assertThat(unclaimed.add(table.idAt(slot))).isTrue();
            }
            Set<String> expected = new HashSet<>(stored.keySet());
            expected.removeAll(claimed);
            assertThat(unclaimed).isEqualTo(expected);
        }
    }

    @Test
    void anIdThatIsAPrefixOfAnotherIsStillAnotherId() throws Exception {
        try (StampTable table = new StampTable(dir, 2)) {
            table.add("a/b", "s1");
            table.add("a/b/c", "s2");
            table.loaded();
            assertThat(table.compare("a/b", "s2")).isEqualTo(StampTable.Match.CHANGED);
            assertThat(table.compare("a/b/c", "s2")).isEqualTo(StampTable.Match.UNCHANGED);
            assertThat(table.compare("a/", "s1")).isEqualTo(StampTable.Match.NEW);
        }
    }

    @Test
    void refusesMoreThanItWasSizedForAndDeletesItsFileWhenClosed() throws Exception {
        StampTable table = new StampTable(dir, 0);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                table.add("id-" + i, "s");
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("sized for");
        table.close();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    /** Ids of every shape a source gives: short, 512 bytes long, non-ASCII, with separators. */
    private static String randomId(Random random, int i) {
        return switch (i % 4) {
            case 0 -> "doc-" + i;
            case 1 -> "table/" + i + ",x%2C" + random.nextInt();
            case 2 -> "dossier/é/日本/" + i;
            default -> ("long-" + i + "-").repeat(100).substring(0, 500) + i;
        };
    }
}
