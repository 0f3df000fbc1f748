package io.connectors.functional.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaultsToTheDirectorySourceAtMedium() {
        BenchOptions o = BenchOptions.parse("--home", "/repo");

        assertThat(o.source()).isEqualTo("directory");
        assertThat(o.documents()).isEqualTo(100_000);
        assertThat(o.flatness()).isFalse();
        assertThat(o.realtime()).isFalse();
        assertThat(o.outDir()).isEqualTo(Path.of("/repo/functional-tests/target"));
        assertThat(o.daemonJavaOpts()).isEqualTo(BenchOptions.DEFAULT_DAEMON_JAVA_OPTS);
    }

    @Test
    void flatnessIsMediumPlusTheLargeRun() {
        assertThat(BenchOptions.parse("--size", "flatness")).satisfies(o -> {
            assertThat(o.documents()).isEqualTo(100_000);
            assertThat(o.flatness()).isTrue();
        });
        assertThat(BenchOptions.parse("--size", "small", "--flatness").flatness()).isTrue();
        assertThat(BenchOptions.parse("--size", "large").documents()).isEqualTo(1_000_000);
        assertThat(BenchOptions.parse("--size", "25_000").documents()).isEqualTo(25_000);
    }

    @Test
    void realtimeIsTheLatencyPhaseAlone() {
        BenchOptions o = BenchOptions.parse("--name", "postgresql", "--size", "realtime");

        assertThat(o.realtime()).isTrue();
        assertThat(o.flatness()).isFalse();
        assertThat(o.documents()).isEqualTo(BenchOptions.SMALL);
        assertThat(BenchOptions.parse("--size", "small").realtime()).isFalse();
        assertThatThrownBy(() -> BenchOptions.parse("--name", "postgresql", "--size", "realtime", "--flatness"))
                .hasMessageContaining("no flatness figure");
        assertThatThrownBy(() -> BenchOptions.parse("--size", "realtime"))
                .hasMessageContaining("use --name postgresql or --name mysql, not directory");
        assertThat(BenchOptions.parse("--name", "mysql", "--size", "realtime").realtime()).isTrue();
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> BenchOptions.parse("--size", "huge")).hasMessageContaining("'huge'");
        assertThatThrownBy(() -> BenchOptions.parse("--nme", "x")).hasMessageContaining("--nme");
        assertThatThrownBy(() -> BenchOptions.parse("--name")).hasMessageContaining("--name needs a value");
        assertThatThrownBy(() -> BenchOptions.parse("--size", "large", "--flatness"))
                .hasMessageContaining("--size medium --flatness");
    }
}
