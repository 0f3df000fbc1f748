package io.connectors.elasticsearch.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MavenLocalRepositoryTest {

    @TempDir
    Path userHome;

    @Test
    void theSystemPropertyWinsOverSettings() throws IOException {
        writeSettings("<settings><localRepository>/from/settings</localRepository></settings>");

        assertThat(MavenLocalRepository.resolve("/from/property", userHome, Map.of()))
                .isEqualTo(Path.of("/from/property"));
    }

    @Test
    void settingsLocalRepositoryIsUsedWithPlaceholdersExpanded() throws IOException {
        writeSettings("""
                <?xml version="1.0" encoding="UTF-8"?>
                <settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
                  <localRepository>
                    ${user.home}/repos/${env.REPO_NAME}
                  </localRepository>
                </settings>
                """);

        assertThat(MavenLocalRepository.resolve(null, userHome, Map.of("REPO_NAME", "m2")))
                .isEqualTo(userHome.resolve("repos/m2"));
    }

    @Test
    void defaultsToDotM2RepositoryWithoutSettingsOrWithABlankEntry() throws IOException {
        assertThat(MavenLocalRepository.resolve(null, userHome, Map.of()))
                .isEqualTo(userHome.resolve(".m2/repository"));

        writeSettings("<settings><localRepository>  </localRepository><mirrors/></settings>");
        assertThat(MavenLocalRepository.resolve(" ", userHome, Map.of()))
                .isEqualTo(userHome.resolve(".m2/repository"));
    }

    @Test
    void ignoresLocalRepositoryNestedElsewhere() throws IOException {
        writeSettings("<settings><profiles><profile><localRepository>/nested</localRepository></profile>"
                + "</profiles></settings>");

        assertThat(MavenLocalRepository.resolve(null, userHome, Map.of()))
                .isEqualTo(userHome.resolve(".m2/repository"));
    }

    @Test
    void unknownPlaceholdersAreLeftAsTheyAre() {
        assertThat(MavenLocalRepository.expand("${env.MISSING}/${other}", userHome, Map.of()))
                .isEqualTo("${env.MISSING}/${other}");
    }

    @Test
    void aBrokenSettingsFileIsAnErrorThatNamesIt() throws IOException {
        Path settings = writeSettings("<settings><localRepository>");

        assertThatThrownBy(() -> MavenLocalRepository.resolve(null, userHome, Map.of()))
                .isInstanceOf(ElasticsearchLaunchException.class)
                .hasMessageContaining(settings.toString());
    }

    @Test
    void theDistributionPathFollowsTheMavenLayout() {
        assertThat(ElasticsearchDistribution.zipIn(Path.of("/repo"), "8.19.21")).isEqualTo(Path.of(
                "/repo/org/elasticsearch/distribution/integ-test-zip/elasticsearch/8.19.21/elasticsearch-8.19.21.zip"));
        assertThat(ElasticsearchDistribution.coordinates("8.19.21"))
                .isEqualTo("org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.21:zip");
    }

    @Test
    void findsAnExecutableOnThePath() throws IOException {
        Path bin = Files.createDirectories(userHome.resolve("bin"));
        Path mvn = Files.writeString(bin.resolve("mvn"), "#!/bin/sh");
        assertThat(ElasticsearchDistribution.findOnPath("mvn", "/nonexistent:" + bin)).isEmpty();

        assertThat(mvn.toFile().setExecutable(true)).isTrue();
        assertThat(ElasticsearchDistribution.findOnPath("mvn", "/nonexistent::" + bin)).contains(mvn);
        assertThat(ElasticsearchDistribution.findOnPath("mvn", null)).isEmpty();
    }

    private Path writeSettings(String xml) throws IOException {
        Path settings = Files.createDirectories(userHome.resolve(".m2")).resolve("settings.xml");
        return Files.writeString(settings, xml);
    }
}
