package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's fast start: {@code make cds} (the end of {@code make build}) writes a class-data-sharing archive, and
 * {@code bin/connectors} then loads its classes from it; a short command runs without the optimizing compiler.
 */
class StartupIT {
    private static final Path HOME = Path.of(System.getProperty("connectors.home", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private int run(List<String> command, Path log, String extraJavaOpts) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(HOME.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("CONNECTORS_HOME", HOME.toString());
        pb.environment().remove("CONNECTORS_JAVA_OPTS");
        if (extraJavaOpts != null) {
            pb.environment().put("CONNECTORS_EXTRA_JAVA_OPTS", extraJavaOpts);
        }
        Process p = pb.start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        return p.exitValue();
    }

    @Test
    void commandsLoadTheirClassesFromTheArchiveMakeBuildWritesAndSkipTheOptimizingCompiler() throws Exception {
        Path archive = HOME.resolve("target/connectors/connectors.jsa");
        assertThat(run(List.of("make", "--no-print-directory", "cds"), tmp.resolve("make.log"), null))
                .as("make cds: %s", Files.readString(tmp.resolve("make.log"))).isZero();
        assertThat(archive).isRegularFile();

        Path classes = tmp.resolve("classes.log");
        Path out = tmp.resolve("out.log");
        assertThat(run(List.of(HOME.resolve("bin/connectors").toString(), "sources"), out,
                "-Xlog:class+load=info:file=" + classes + " -XX:+PrintFlagsFinal")).isZero();
        List<String> loaded = Files.readAllLines(classes);
        assertThat(loaded).as("the CLI's own classes come from the archive")
                .anyMatch(l -> l.contains("io.connectors.runtime.SourceRegistry ") && l.contains("shared objects file (top)"))
                .anyMatch(l -> l.contains("io.connectors.runtime.cli.Main ") && l.contains("shared objects file (top)"));
        assertThat(Files.readString(out)).containsPattern("TieredStopAtLevel\\s+= 1 ");
    }
}
