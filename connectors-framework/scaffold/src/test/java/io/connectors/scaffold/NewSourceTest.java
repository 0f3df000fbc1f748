package io.connectors.scaffold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.scaffold.NewSource.Names;
import io.connectors.scaffold.NewSource.ScaffoldException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The scaffold on the real template, in a temporary folder shaped like the repository. */
class NewSourceTest {
    /** The scaffold module's folder, where Maven runs this test. */
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final String SOURCES_POM = """
            <project>
              <modules>
                <module>directory</module>
                <module>postgresql</module>
              </modules>
            </project>
            """;

    @TempDir
    Path root;

    @BeforeEach
    void repository() throws IOException {
        Path template = root.resolve(NewSource.TEMPLATE);
        RepositoryFiles.copyTree(MODULE.resolve("template"), template, Set.of());
        Files.createDirectories(root.resolve("connectors-sources/directory/src/main/java/x"));
        Files.writeString(root.resolve("connectors-sources/pom.xml"), SOURCES_POM);
        Files.writeString(root.resolve("connectors-sources/directory/src/main/java/x/DirectoryDataSourceProvider.java"),
                "class DirectoryDataSourceProvider { public static final String TYPE = \"directory\"; }");
    }

    @ParameterizedTest
    @CsvSource({
            "confluence, Confluence, confluence, confluence, Confluence",
            "rest_api, RestApi, restapi, rest-api, Rest Api",
            "s3, S3, s3, s3, S3"})
    void namesAreDerivedFromTheType(String type, String prefix, String javaPackage, String artifact, String display) {
        assertThat(Names.of(type)).isEqualTo(new Names(type, prefix, javaPackage, artifact, display));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Confluence | is not a source type: use lower-case letters",
            "9lives     | is not a source type",
            "rest-api   | is not a source type",
            "rest__api  | has '_' doubled or at the end",
            "api_       | has '_' doubled or at the end",
            "new        | 'new' is a Java keyword",
            "int_       | has '_' doubled",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | is 41 characters long; at most 40"})
    void badNamesAreRefusedWithTheReason(String type, String reason) {
        assertThatThrownBy(() -> Names.of(type)).isInstanceOf(ScaffoldException.class).hasMessageContaining(reason);
    }

    @Test
    void createsTheModuleWithNoPlaceholderLeftAndAddsItsModuleLine() throws IOException {
        NewSource.Result result = NewSource.create(root, "rest_api");

        assertThat(result.module()).isEqualTo(Path.of("connectors-sources/rest_api"));
        assertThat(result.files()).extracting(Path::toString).contains(
                "connectors-sources/rest_api/pom.xml",
                "connectors-sources/rest_api/README.md",
                "connectors-sources/rest_api/src/main/java/io/connectors/source/restapi/RestApiDataSourceProvider.java",
                "connectors-sources/rest_api/src/main/java/io/connectors/source/restapi/RestApiConfig.java",
                "connectors-sources/rest_api/src/main/java/io/connectors/source/restapi/RestApiDataSource.java",
                "connectors-sources/rest_api/src/main/resources/META-INF/services/io.connectors.spi.DataSourceProvider",
                "connectors-sources/rest_api/src/test/java/io/connectors/source/restapi/RestApiDataSourceContractTest.java",
                "connectors-sources/rest_api/src/test/java/io/connectors/source/restapi/RestApiFixture.java",
                "connectors-sources/rest_api/src/test/java/io/connectors/source/restapi/RestApiFixtureTest.java",
                "connectors-sources/rest_api/src/test/resources/META-INF/services/io.connectors.testkit.functional.SourceFixture");
        for (Path file : result.files()) {
            String text = Files.readString(root.resolve(file));
            for (String placeholder : NewSource.placeholders(Names.of("rest_api")).keySet()) {
                assertThat(text).as("%s in %s", placeholder, file).doesNotContain(placeholder);
            }
        }
        assertThat(Files.readString(root.resolve("connectors-sources/rest_api/pom.xml")))
                .contains("<artifactId>connectors-source-rest-api</artifactId>");
        assertThat(Files.readString(root.resolve(
                "connectors-sources/rest_api/src/main/resources/META-INF/services/io.connectors.spi.DataSourceProvider")))
                .isEqualTo("io.connectors.source.restapi.RestApiDataSourceProvider\n");
        assertThat(Files.readString(root.resolve("connectors-sources/rest_api/README.md"))).contains("${REST_API_PASSWORD}");
        assertThat(Files.readString(root.resolve("connectors-sources/pom.xml"))).isEqualTo("""
                <project>
                  <modules>
                    <module>directory</module>
                    <module>postgresql</module>
                    <module>rest_api</module>
                  </modules>
                </project>
                """);
    }

    @Test
    void modulesStayInAlphabeticalOrder() {
        assertThat(NewSource.withModule(SOURCES_POM, "mongodb")).contains("""
                    <module>directory</module>
                    <module>mongodb</module>
                    <module>postgresql</module>
                """);
    }

    @Test
    void anExistingModuleIsNeverTouched() throws IOException {
        NewSource.create(root, "confluence");
        Path provider = root.resolve("connectors-sources/confluence/src/main/java/io/connectors/source/confluence/"
                + "ConfluenceDataSourceProvider.java");
        Files.writeString(provider, "// the author's work");
        String pom = Files.readString(root.resolve("connectors-sources/pom.xml"));

        assertThatThrownBy(() -> NewSource.create(root, "confluence")).isInstanceOf(ScaffoldException.class)
                .hasMessage("connectors-sources/confluence exists already: choose another NAME, or delete it first to"
                        + " start again");
        assertThat(Files.readString(provider)).isEqualTo("// the author's work");
        assertThat(Files.readString(root.resolve("connectors-sources/pom.xml"))).isEqualTo(pom);
    }

    @Test
    void aTypeDeclaredUnderAnotherFolderNameIsRefused() throws IOException {
        Files.move(root.resolve("connectors-sources/directory"), root.resolve("connectors-sources/files"));
        Files.writeString(root.resolve("connectors-sources/pom.xml"), SOURCES_POM.replace("directory", "files"));

        assertThatThrownBy(() -> NewSource.create(root, "directory")).isInstanceOf(ScaffoldException.class)
                .hasMessageContaining("source type 'directory' is declared already, in connectors-sources/files/");
        assertThat(root.resolve("connectors-sources/directory")).doesNotExist();
    }

    @Test
    void aPomWithoutModulesIsReportedAndNothingIsWritten() throws IOException {
        Files.writeString(root.resolve("connectors-sources/pom.xml"), "<project/>");

        assertThatThrownBy(() -> NewSource.create(root, "confluence")).isInstanceOf(ScaffoldException.class)
                .hasMessageContaining("has no <modules> section");
        assertThat(root.resolve("connectors-sources/confluence")).doesNotExist();
    }

    @Test
    void outsideTheRepositoryTheTemplateIsMissing() {
        assertThatThrownBy(() -> NewSource.create(root.resolve("connectors-sources"), "confluence"))
                .isInstanceOf(ScaffoldException.class).hasMessageContaining("no template at")
                .hasMessageContaining("run this from the repository's root folder");
    }

    @Test
    void theCommandLineReportsWhatItDidAndExitsWithUsageErrors() {
        assertThat(run("--root", root.toString(), "jira")).startsWith("0\nCreated connectors-sources/jira (source type 'jira'):")
                .contains("and added <module>jira</module> to connectors-sources/pom.xml.");
        assertThat(run("--root", root.toString(), "Jira")).startsWith("2\n").contains("new-source: NAME 'Jira' is not a source type");
        assertThat(run("--root", root.toString())).startsWith("2\n").contains("new-source: NAME is missing");
        assertThat(run("--bogus", "x")).startsWith("2\n").contains("new-source: unknown option '--bogus'");
        assertThat(run("a", "b")).startsWith("2\n").contains("one source type at a time, got 'a' and 'b'");
    }

    @Test
    void theDevelopersGuideShowsWhatTheScaffoldPrints() throws IOException {
        String guide = Files.readString(RepositoryFiles.REPOSITORY.resolve("docs/DEVELOPING.md"));
        String marker = "<!-- output: make new-source NAME=rest_api -->\n```\n";
        int start = guide.indexOf(marker);
        assertThat(start).as("the output block in docs/DEVELOPING.md").isNotNegative();
        String shown = guide.substring(start + marker.length(), guide.indexOf("```", start + marker.length()));

        assertThat("0\n" + shown).isEqualTo(run("--root", root.toString(), "rest_api"));
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = NewSource.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return exit + "\n" + out.toString(StandardCharsets.UTF_8);
    }
}
