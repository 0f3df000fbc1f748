package io.connectors.scaffold;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contributor's path, proved with real Maven builds: scaffold a source in a copy of this repository, implement
 * nothing, and see it compile, pass its configuration tests, and fail the contract suite naming each method still to
 * write; then see the build refuse the module once it depends on the runtime.
 *
 * <p>Maven runs offline on the local repository of the build running this test, which holds every plugin and library
 * already. Each run builds the SPI and the test kit again in the copy ({@code -am}), so nothing needs installing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NewSourceIT {
    /** Build output, local state and version control stay out of the copy. */
    private static final Set<String> NOT_COPIED = Set.of("target", ".git", ".local", "node_modules");
    private static final String MODULE = "connectors-sources/rest_api";
    private static final Path REPORTS = Path.of(MODULE, "target", "surefire-reports");

    @TempDir
    static Path copy;

    @BeforeAll
    static void scaffoldInACopy() throws IOException {
        RepositoryFiles.copyTree(RepositoryFiles.REPOSITORY, copy, NOT_COPIED);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(NewSource.run(new String[]{"--root", copy.toString(), "rest_api"}, print, print))
                .as("%s", out.toString(StandardCharsets.UTF_8)).isZero();
    }

    @Test
    @Order(1)
    void theScaffoldBuildsAndItsContractSuiteNamesWhatIsMissing() throws Exception {
        Maven build = maven("test", "-Dtest=RestApi*", "-Dsurefire.failIfNoSpecifiedTests=false");

        assertThat(build.output).as("compiled").doesNotContain("COMPILATION ERROR").contains("BUILD FAILURE")
                .contains("There are test failures");
        assertThat(build.exit).isNotZero();
        assertThat(report("RestApiConfigTest")).as("the configuration tests pass as written")
                .contains("Tests run: 4, Failures: 0, Errors: 0");
        String contract = report("RestApiDataSourceContractTest");
        assertThat(contract)
                .contains("Tests run: 21, Failures: 18, Errors: 0")
                .contains("validConfiguration() of the contract test is not written yet: start or reach a rest_api"
                        + " backend")
                .contains("expectedIds() of the contract test is not written yet")
                .contains("openResourceCount() of the contract test is not written yet");
        // What the scaffold wrote in full passes: the provider is registered, typed and documented.
        for (String passing : List.of("typeIsLowerCase", "providerIsFoundByServiceLoader", "configFieldsAreDocumented")) {
            assertThat(contract).as(passing).doesNotContain("." + passing + " -- ");
        }
        // The fixture test is the test kit's, wired: it names the fixture's first method still to write.
        assertThat(report("RestApiFixtureTest"))
                .contains("RestApiFixture.start(workDir) is not written yet: start or reach a real rest_api backend");
    }

    @Test
    @Order(2)
    void withTheFixtureWrittenTheSuiteNamesTheSourceMethodsStillToWrite() throws Exception {
        Path test = copy.resolve(MODULE).resolve("src/test/java/io/connectors/source/restapi/RestApiDataSourceContractTest.java");
        String text = Files.readString(test);
        int start = text.indexOf("    protected long openResourceCount() {");
        int end = text.indexOf("    @Override", start);
        // An honest probe for a source that opens nothing yet: nothing is open.
        Files.writeString(test, text.substring(0, start) + "    protected long openResourceCount() {\n        return 0;\n"
                + "    }\n\n" + text.substring(end));

        maven("test", "-Dtest=RestApiDataSourceContractTest#pingFailsClearlyWhenUnreachable+getDocsFailsWhenUnreachable"
                + "+fetchFailsWhenUnreachable", "-Dsurefire.failIfNoSpecifiedTests=false");

        assertThat(report("RestApiDataSourceContractTest"))
                .contains("Tests run: 3, Failures: 3")
                .contains("RestApiDataSource.ping() is not written yet: connect to 127.0.0.1:")
                .contains("RestApiDataSource.getDocs(rules) is not written yet: list every item of the backend")
                .contains("RestApiDataSource.fetch(deferred) is not written yet: read the items of this batch");
    }

    @Test
    @Order(3)
    void aSourceThatDependsOnTheRuntimeIsRefusedByTheBuild() throws Exception {
        Path pom = copy.resolve(MODULE).resolve("pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("  <dependencies>", """
                  <dependencies>
                    <dependency>
                      <groupId>io.connectors</groupId>
                      <artifactId>connectors-runtime</artifactId>
                      <version>${project.version}</version>
                    </dependency>"""));

        Maven build = maven("validate");

        assertThat(build.exit).isNotZero();
        assertThat(build.output)
                .contains("A source compiles against connectors-spi only; it must not depend on connectors-runtime.")
                .contains("io.connectors:connectors-runtime:jar:0.1.0-SNAPSHOT <--- banned");
    }

    private record Maven(int exit, String output) {
    }

    private static Maven maven(String... goals) throws Exception {
        List<String> command = new ArrayList<>();
        String home = System.getProperty("scaffold.maven.home");
        command.add(home == null || home.isBlank() ? "mvn" : Path.of(home, "bin", "mvn").toString());
        command.addAll(List.of("-B", "-o", "-pl", MODULE, "-am"));
        String repo = System.getProperty("scaffold.maven.repo.local");
        if (repo != null && !repo.isBlank()) {
            command.add("-Dmaven.repo.local=" + repo);
        }
        command.addAll(List.of(goals));
        Path log = Files.createTempFile(copy, "maven", ".log");
        Process process = new ProcessBuilder(command).directory(copy.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        return new Maven(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static String report(String testClass) throws IOException {
        return Files.readString(copy.resolve(REPORTS).resolve("io.connectors.source.restapi." + testClass + ".txt"));
    }
}
