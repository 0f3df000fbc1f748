package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/CONFIG.md} is what the distribution prints with {@code connectors config reference}, byte for byte. The
 * distribution holds every source (a module under {@code connectors-sources/} lands in its lib folder), so a new key,
 * field, default or description fails this test until {@code make docs} is run. Needs no Elasticsearch.
 */
class ConfigReferenceIT {
    private static final Path HOME = Path.of(System.getProperty("connectors.home", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void docsConfigMdIsWhatTheDistributionGenerates() throws Exception {
        Path out = tmp.resolve("out.md");
        Path err = tmp.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(HOME.resolve("bin/connectors").toString(), "config", "reference")
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("CONNECTORS_HOME", HOME.toString());
        pb.environment().put("CONNECTORS_JAVA_OPTS", "-Xmx256m");
        Process p = pb.start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("connectors config reference finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();

        byte[] generated = Files.readAllBytes(out);
        Path committed = HOME.resolve("docs/CONFIG.md");
        byte[] current = Files.exists(committed) ? Files.readAllBytes(committed) : new byte[0];
        if (!java.util.Arrays.equals(generated, current)) {
            fail("docs/CONFIG.md is stale: run make docs. " + firstDifference(
                    Files.exists(committed) ? Files.readString(committed) : "", Files.readString(out)));
        }
    }

    /** The first line that differs, as the file has it and as it is generated. */
    static String firstDifference(String committed, String generated) {
        List<String> a = committed.lines().toList();
        List<String> b = generated.lines().toList();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String was = i < a.size() ? a.get(i) : null;
            String now = i < b.size() ? b.get(i) : null;
            if (!java.util.Objects.equals(was, now)) {
                return "First difference at line " + (i + 1) + ":\n  docs/CONFIG.md: "
                        + (was == null ? "(end of file)" : was) + "\n  generated:      " + (now == null ? "(end of file)" : now);
            }
        }
        return "The lines are the same; the line endings or the final newline differ.";
    }
}
