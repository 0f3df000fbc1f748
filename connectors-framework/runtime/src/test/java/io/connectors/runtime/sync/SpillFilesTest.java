package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillFilesTest {
    @TempDir
    Path dir;

    @Test
    void theFilesOfProcessesNoLongerRunningAreRemovedAndOnlyThose() throws Exception {
        Path mine = SpillFiles.create(dir, "stamps");
        Path dead = Files.write(dir.resolve("connectors-stamps-999999999-123.bin"), new byte[1000]);
        Path deadIds = Files.write(dir.resolve("connectors-split-ids-999999998-456.bin"), new byte[24]);
        Path alive = Files.write(dir.resolve("connectors-stamps-1-789.bin"), new byte[10]);
        Path other = Files.write(dir.resolve("stamps-123.bin"), new byte[10]);

        SpillFiles.Removed removed = SpillFiles.removeStale(dir,
                pid -> pid == 1 || pid == ProcessHandle.current().pid());

        assertThat(removed.files()).isEqualTo(2);
        assertThat(removed.bytes()).isEqualTo(1024);
        assertThat(removed.pids()).containsExactly(999999998L, 999999999L);
        assertThat(List.of(mine, alive, other)).allMatch(Files::exists);
        assertThat(List.of(dead, deadIds)).noneMatch(Files::exists);
    }

    @Test
    void aLiveProcessKeepsItsFilesWithTheRealProcessTable() throws Exception {
        Path mine = SpillFiles.create(dir, "split-ids");
        assertThat(mine.getFileName().toString()).startsWith("connectors-split-ids-" + ProcessHandle.current().pid() + "-");
        assertThat(SpillFiles.removeStale(dir).files()).isZero();
        assertThat(mine).exists();
    }

    @Test
    void aKilledProcesssFilesAreKeptWhileItRunsAndRemovedOnceItIsGone() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            Path left = Files.write(dir.resolve("connectors-stamps-" + child.pid() + "-42.bin"), new byte[64]);
            assertThat(SpillFiles.removeStale(dir).files()).as("the process runs").isZero();
            child.destroyForcibly().waitFor();
            SpillFiles.Removed removed = SpillFiles.removeStale(dir);
            assertThat(removed.files()).isEqualTo(1);
            assertThat(removed.pids()).containsExactly(child.pid());
            assertThat(left).doesNotExist();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aMissingFolderHasNothingToRemove() {
        assertThat(SpillFiles.removeStale(dir.resolve("missing")).files()).isZero();
    }
}
