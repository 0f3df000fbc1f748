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
        Optional<Path> found = findOnPath("mvn", System.getenv("PATH"));
        if (found.isEmpty()) {
            download(version, repository, centralUrl(System.getenv()));
            return;
        }
        Path mvn = found.get();
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

    /** Where the zip is downloaded from without Maven: {@code CONNECTORS_MAVEN_URL}, else Maven Central. */
    static String centralUrl(java.util.Map<String, String> env) {
        String url = env.get("CONNECTORS_MAVEN_URL");
        url = url == null || url.isBlank() ? "https://repo1.maven.org/maven2" : url.trim();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * Without Maven (an unpacked release on a machine with only a Java runtime): the zip and its {@code .sha1} straight
     * from the repository over HTTPS, checked, then moved into the local repository's layout, where Maven would put it.
     */
    static void download(String version, Path repository, String baseUrl) {
        Path zip = zipIn(repository, version);
        String path = GROUP_ID.replace('.', '/') + "/" + ARTIFACT_ID + "/" + version + "/" + ARTIFACT_ID + "-" + version
                + ".zip";
        java.net.URI uri = java.net.URI.create(baseUrl + "/" + path);
        LOG.info("mvn is not on the PATH: downloading {} into {}", uri, zip.getParent());
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NORMAL)
                .connectTimeout(java.time.Duration.ofSeconds(30)).build();
        Path part = null;
        try {
            Files.createDirectories(zip.getParent());
            part = Files.createTempFile(zip.getParent(), ARTIFACT_ID + "-" + version, ".zip.part");
            java.net.http.HttpResponse<Path> got = http.send(java.net.http.HttpRequest.newBuilder(uri)
                            .timeout(java.time.Duration.ofMinutes(FETCH_TIMEOUT_MINUTES)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofFile(part));
            if (got.statusCode() != 200) {
                throw new ElasticsearchLaunchException("Downloading " + uri + " failed: HTTP " + got.statusCode()
                        + ". Set elasticsearch.host to use a cluster of your own, or CONNECTORS_MAVEN_URL to a"
                        + " Maven repository that has " + coordinates(version));
            }
            java.net.http.HttpResponse<String> sha1 = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(uri + ".sha1")).timeout(java.time.Duration.ofMinutes(1)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (sha1.statusCode() != 200) {
                throw new ElasticsearchLaunchException("Downloading " + uri + ".sha1 failed: HTTP " + sha1.statusCode());
            }
            String expected = sha1.body().trim().split("\\s+")[0].toLowerCase(java.util.Locale.ROOT);
            String actual = sha1Of(part);
            if (!actual.equals(expected)) {
                throw new ElasticsearchLaunchException("The download of " + uri + " is corrupt: SHA-1 " + actual
                        + ", the repository says " + expected);
            }
            Files.move(part, zip, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            part = null;
        } catch (IOException e) {
            throw new ElasticsearchLaunchException("Cannot download " + uri + " (" + e + "). Set elasticsearch.host to"
                    + " use a cluster of your own, or install Maven", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ElasticsearchLaunchException("Interrupted while downloading " + uri, e);
        } finally {
            if (part != null) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException e) {
                    LOG.debug("Could not delete {}: {}", part, e.toString());
                }
            }
        }
    }

    private static String sha1Of(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-1");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
