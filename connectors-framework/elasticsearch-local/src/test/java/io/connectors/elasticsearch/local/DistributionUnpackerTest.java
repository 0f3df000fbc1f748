package io.connectors.elasticsearch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistributionUnpackerTest {

    @TempDir
    Path tmp;

    @Test
    void refusesAnEntryThatClimbsOutOfTheTargetAndWritesNothing() throws IOException {
        Path zip = plainZip("slip.zip", "dist/ok.txt", "dist/../../evil.txt");
        Path target = tmp.resolve("out");
        Files.createDirectories(target);

        assertThatThrownBy(() -> DistributionUnpacker.unpack(zip, target))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("dist/../../evil.txt")
                .hasMessageContaining("outside");
        assertThat(tmp.resolve("evil.txt")).doesNotExist();
        assertThat(target.resolve("dist/ok.txt")).doesNotExist();
    }

    @Test
    void refusesAnAbsoluteEntry() throws IOException {
        Path zip = plainZip("absolute.zip", "/tmp/connectors-zip-slip-probe.txt");
        Path target = tmp.resolve("out");

        assertThatThrownBy(() -> DistributionUnpacker.unpack(zip, target)).isInstanceOf(IOException.class)
                .hasMessageContaining("outside");
        assertThat(Path.of("/tmp/connectors-zip-slip-probe.txt")).doesNotExist();
    }

    @Test
    void resolveInsideAcceptsNamesThatStayInside() throws IOException {
        Path root = tmp.toAbsolutePath();
        assertThat(DistributionUnpacker.resolveInside(root, "a/b/../c.txt")).isEqualTo(root.resolve("a/c.txt"));
        assertThatThrownBy(() -> DistributionUnpacker.resolveInside(root, "a/../../c.txt"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void keepsTheExecutableBitTheZipRecordsAndStripsTheTopFolder() throws IOException {
        Path zip = zipWithModes();
        Path target = tmp.resolve("home/elasticsearch-1.2.3");

        DistributionUnpacker.unpackOnce(zip, target);

        assertThat(target.resolve("bin/elasticsearch")).hasContent("#!/bin/sh");
        assertThat(Files.getPosixFilePermissions(target.resolve("bin/elasticsearch")))
                .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        assertThat(Files.getPosixFilePermissions(target.resolve("config/jvm.options")))
                .doesNotContain(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_READ);
        assertThat(target.resolve(DistributionUnpacker.MARKER)).isRegularFile();
    }

    @Test
    void unpacksOnceAndRedoesAnInterruptedUnpack() throws IOException {
        Path zip = zipWithModes();
        Path target = tmp.resolve("home/elasticsearch-1.2.3");
        DistributionUnpacker.unpackOnce(zip, target);
        Files.writeString(target.resolve("config/jvm.options"), "changed");

        DistributionUnpacker.unpackOnce(zip, target);
        assertThat(target.resolve("config/jvm.options")).hasContent("changed");

        Files.delete(target.resolve(DistributionUnpacker.MARKER));
        DistributionUnpacker.unpackOnce(zip, target);
        assertThat(target.resolve("config/jvm.options")).hasContent("-Xss1m");
        try (var siblings = Files.list(target.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.contains(".partial-"));
        }
    }

    private Path plainZip(String name, String... entries) throws IOException {
        Path zip = tmp.resolve(name);
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (String entry : entries) {
                out.putNextEntry(new ZipEntry(entry));
                out.write(entry.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return zip;
    }

    /** A zip like the distribution: one top folder, Unix modes in the entries (written through the zip file system). */
    private Path zipWithModes() throws IOException {
        Path zip = tmp.resolve("dist.zip");
        Map<String, Object> env = Map.of("create", "true", "enablePosixFileAttributes", "true");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + zip.toUri()), env)) {
            Path bin = fs.getPath("elasticsearch-1.2.3/bin/elasticsearch");
            Path config = fs.getPath("elasticsearch-1.2.3/config/jvm.options");
            Files.createDirectories(bin.getParent());
            Files.createDirectories(config.getParent());
            Files.writeString(bin, "#!/bin/sh");
            Files.writeString(config, "-Xss1m");
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-rw----"));
        }
        return zip;
    }
}
