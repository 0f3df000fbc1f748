package io.connectors.elasticsearch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaHomeSelectorTest {

    @TempDir
    Path jvms;

    @Test
    void eightNeedsJava17AndNineNeedsJava21() {
        assertThat(JavaHomeSelector.requiredFeature("8.19.21")).isEqualTo(17);
        assertThat(JavaHomeSelector.requiredFeature("9.1.0")).isEqualTo(21);
        assertThat(JavaHomeSelector.requiredFeature("10.0.0-SNAPSHOT")).isEqualTo(21);
        assertThatThrownBy(() -> JavaHomeSelector.requiredFeature("latest"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prefersTheRunningJvmWhenItIsNewEnough() throws IOException {
        Path current = jdk("current", "17.0.15");
        jdk("temurin-25", "25.0.3");

        assertThat(JavaHomeSelector.select(17, current, 17, jvms, JavaHomeSelector::hasJavaExecutable))
                .contains(current);
    }

    @Test
    void otherwiseTakesTheOldestJdkThatIsNewEnough() throws IOException {
        Path current = jdk("current", "17.0.15");
        jdk("java-11", "11.0.2");
        Path jdk21 = jdk("java-21", "21.0.4");
        jdk("temurin-25", "25.0.3");

        assertThat(JavaHomeSelector.select(21, current, 17, jvms, JavaHomeSelector::hasJavaExecutable))
                .contains(jdk21.toRealPath());
    }

    @Test
    void skipsJdksTheNodeUserCannotUseAndFolderLookalikes() throws IOException {
        Path current = jdk("current", "17.0.15");
        Path blocked = jdk("java-21", "21.0.4").toRealPath();
        Path jdk25 = jdk("temurin-25", "25.0.3");
        Files.createDirectories(jvms.resolve("no-release/bin"));
        Files.createDirectories(jvms.resolve("no-java"));
        Files.writeString(jvms.resolve("no-java/release"), "JAVA_VERSION=\"22\"\n");

        assertThat(JavaHomeSelector.select(21, current, 17, jvms,
                home -> !home.equals(blocked) && JavaHomeSelector.hasJavaExecutable(home)))
                .contains(jdk25.toRealPath());
    }

    @Test
    void countsAnAliasedJdkOnce() throws IOException {
        Path jdk21 = jdk("java-21-openjdk-amd64", "21.0.4");
        Files.createSymbolicLink(jvms.resolve("java-1.21.0-openjdk-amd64"), jdk21.getFileName());

        assertThat(JavaHomeSelector.select(21, null, 0, jvms, home -> true)).contains(jdk21.toRealPath());
    }

    @Test
    void emptyWhenNothingFits() throws IOException {
        Path current = jdk("current", "17.0.15");

        assertThat(JavaHomeSelector.select(21, current, 17, jvms, home -> true)).isEmpty();
        assertThat(JavaHomeSelector.select(21, current, 17, jvms.resolve("missing"), home -> true)).isEmpty();
    }

    @Test
    void readsTheFeatureVersionFromTheReleaseFile() throws IOException {
        assertThat(JavaHomeSelector.featureVersionOf(jdk("j8", "1.8.0_392"))).hasValue(8);
        assertThat(JavaHomeSelector.featureVersionOf(jdk("j25", "25"))).hasValue(25);
        assertThat(JavaHomeSelector.featureVersionOf(jdk("j21", "21.0.4+7-LTS"))).hasValue(21);
        assertThat(JavaHomeSelector.featureVersionOf(jvms.resolve("missing"))).isEmpty();
    }

    @Test
    void theRealRunningJvmIsSelectedFor8x() {
        Path current = Path.of(System.getProperty("java.home"));

        assertThat(JavaHomeSelector.select(17, current, Runtime.version().feature(),
                JavaHomeSelector.DEFAULT_SEARCH_ROOT, JavaHomeSelector::hasJavaExecutable)).contains(current);
    }

    private Path jdk(String name, String version) throws IOException {
        Path home = Files.createDirectories(jvms.resolve(name));
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }
}
