package io.connectors.elasticsearch.local;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code integ-test-zip} distribution in the local Maven repository, fetched through Maven when missing. */
final class ElasticsearchDistribution {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchDistribution.class);
    private static final String GROUP_ID = "org.elasticsearch.distribution.integ-test-zip";
    private static final String ARTIFACT_ID = "elasticsearch";
    private static final long FETCH_TIMEOUT_MINUTES = 15;

    private ElasticsearchDistribution() {
    }

    static String coordinates(String version) {
        return GROUP_ID + ":" + ARTIFACT_ID + ":" + version + ":zip";
    }

    static Path zipIn(Path repository, String version) {
        return repository.resolve(GROUP_ID.replace('.', '/')).resolve(ARTIFACT_ID).resolve(version)
                .resolve(ARTIFACT_ID + "-" + version + ".zip");
    }

    /** The zip for {@code version}, running {@code mvn dependency:get} first if the repository lacks it. */
    static synchronized Path locate(String version, Path repository) {
        Path zip = zipIn(repository, version);
        if (Files.isRegularFile(zip)) {
            return zip;
        }
        fetch(version, repository);
        if (!Files.isRegularFile(zip)) {
            throw new ElasticsearchLaunchException("mvn dependency:get succeeded but " + zip + " is still missing");
        }
        return zip;
    }

    static Optional<Path> findOnPath(String executable, String pathVariable) {
        if (pathVariable == null) {
            return Optional.empty();
        }
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void fetch(String version, Path repository) {
        String coordinates = coordinates(version);
        Path mvn = findOnPath("mvn", System.getenv("PATH")).orElseThrow(() -> new ElasticsearchLaunchException(
                "The Elasticsearch distribution " + coordinates + " is not in the local Maven repository "
                        + repository + ", and mvn is not on the PATH to fetch it. Install Maven, or run: "
                        + "mvn dependency:get -Dartifact=" + coordinates));
        LOG.info("Fetching {} into {} through Maven", coordinates, repository);
        Path workDir = null;
        try {
            // An empty working directory: dependency:get needs no project, and must not load whatever pom is here.
            workDir = Files.createTempDirectory("connectors-es-fetch");
            Path output = workDir.resolve("mvn.log");
            List<String> command = List.of(mvn.toString(), "-q", "-B", "dependency:get",
                    "-Dartifact=" + coordinates, "-Dtransitive=false", "-Dmaven.repo.local=" + repository);
            Process process = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(FETCH_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new ElasticsearchLaunchException("'" + String.join(" ", command) + "' did not finish within "
                        + FETCH_TIMEOUT_MINUTES + " minutes");
            }
            if (process.exitValue() != 0) {
                throw new ElasticsearchLaunchException("'" + String.join(" ", command) + "' failed with exit code "
                        + process.exitValue() + ":\n" + Files.readString(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new ElasticsearchLaunchException("Cannot run " + mvn + " to fetch " + coordinates + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ElasticsearchLaunchException("Interrupted while fetching " + coordinates, e);
        } finally {
            if (workDir != null) {
                FileTrees.deleteQuietly(workDir);
            }
        }
    }
}
