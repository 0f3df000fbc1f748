package io.connectors.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerArchiveTest {
    @TempDir
    Path dir;

    @Test
    void oneProcessWritesTheArchiveThenEveryProcessMapsIt() throws Exception {
        Path a = Files.writeString(dir.resolve("a.jar"), "a");
        Path b = Files.writeString(dir.resolve("b.jar"), "bb");
        WorkerArchive archive = WorkerArchive.in(dir.resolve("archives"), a + File.pathSeparator + b);
        assertThat(archive).isNotNull();
        String writeOption = archive.options().get(0);
        assertThat(writeOption).startsWith("-XX:ArchiveClassesAtExit=");
        // Another process meanwhile neither writes nor maps it.
        assertThat(archive.options()).isEmpty();
        Path tmp = Path.of(writeOption.substring(writeOption.indexOf('=') + 1));
        Files.createDirectories(tmp.getParent());
        Files.writeString(tmp, "archive");
        Path stale = Files.writeString(dir.resolve("archives/connectors-extract-0000000000000000.jsa"), "old");
        archive.written(true);
        assertThat(archive.path()).hasContent("archive");
        assertThat(tmp).doesNotExist();
        assertThat(stale).doesNotExist();
        assertThat(archive.options()).containsExactly("-XX:SharedArchiveFile=" + archive.path(), "-Xshare:auto");
    }

    @Test
    void aProcessThatDidNotEndNormallyLeavesNothingAndAnotherTries() throws Exception {
        Path a = Files.writeString(dir.resolve("a.jar"), "a");
        WorkerArchive archive = WorkerArchive.in(dir.resolve("archives"), a.toString());
        String first = archive.options().get(0);
        Path tmp = Path.of(first.substring(first.indexOf('=') + 1));
        Files.createDirectories(tmp.getParent());
        Files.writeString(tmp, "partial");
        archive.written(false);
        assertThat(tmp).doesNotExist();
        assertThat(archive.path()).doesNotExist();
        assertThat(archive.options()).singleElement().asString().startsWith("-XX:ArchiveClassesAtExit=");
    }

    @Test
    void aClassPathWithADirectoryOrAChangedJarGetsNoneOrAnother() throws Exception {
        Path a = Files.writeString(dir.resolve("a.jar"), "a");
        assertThat(WorkerArchive.in(dir, a + File.pathSeparator + dir)).isNull();
        Path before = WorkerArchive.in(dir, a.toString()).path();
        Files.writeString(a, "a changed jar");
        assertThat(WorkerArchive.in(dir, a.toString()).path()).isNotEqualTo(before);
    }

    @Test
    void anArchiveHalfWrittenByADeadDaemonIsDeleted() throws Exception {
        Path a = Files.writeString(dir.resolve("a.jar"), "a");
        Path archives = Files.createDirectories(dir.resolve("archives"));
        Path dead = Files.writeString(archives.resolve("connectors-extract-00.jsa.999999999.tmp"), "x");
        Path mine = Files.writeString(archives.resolve("connectors-extract-00.jsa." + ProcessHandle.current().pid()
                + ".tmp"), "x");
        WorkerArchive.in(archives, a.toString());
        assertThat(dead).doesNotExist();
        assertThat(mine).exists();
    }
}
