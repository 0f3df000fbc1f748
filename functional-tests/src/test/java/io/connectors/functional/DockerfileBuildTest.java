package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.functional.DockerFiles.Instruction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/Dockerfile against the files it depends on: its build runs the Makefile's {@code maven-build} recipe (what
 * {@code make build} runs), copies every
 * module of the reactor, and lays the distribution out where {@code bin/connectors} looks for it. No Docker needed.
 */
class DockerfileBuildTest {
    private static final Path ROOT = DockerFiles.root();
    private static final List<Instruction> DOCKERFILE = DockerFiles.dockerfile(ROOT.resolve("docker/Dockerfile"));
    private static final Pattern MAKE_VARIABLE = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)\\s*(\\?=|:=|=)\\s*(.*)$");
    private static final Pattern MAKE_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    @Test
    void buildStageRunsTheMakefileBuildRecipe() {
        List<String> make = makeBuildCommand();
        assertThat(make).as("the Makefile's build recipe, its variables at their defaults").startsWith("mvn");

        List<List<String>> maven = new ArrayList<>();
        for (Instruction i : DOCKERFILE) {
            if (i.keyword().equals("RUN") && i.stage().equals("build")) {
                List<String> words = new ArrayList<>(DockerFiles.words(i.arguments()));
                words.removeIf(w -> w.startsWith("--mount=") || w.startsWith("--network=") || w.startsWith("--security="));
                if (!words.isEmpty() && words.get(0).equals("mvn")) {
                    maven.add(words);
                }
            }
        }
        assertThat(maven).as("RUN mvn ... instructions of the Dockerfile's build stage").singleElement()
                .isEqualTo(make);
    }

    @Test
    void buildStageCopiesEveryReactorModuleAndTheLauncher() {
        List<String> copied = new ArrayList<>();
        for (Instruction i : DOCKERFILE) {
            if (i.keyword().equals("COPY") && i.stage().equals("build")) {
                List<String> words = DockerFiles.words(i.arguments()).stream().filter(w -> !w.startsWith("--")).toList();
                copied.addAll(words.subList(0, words.size() - 1));
            }
        }
        assertThat(copied).contains("pom.xml", ".mvn", "bin").containsAll(reactorModules());
        String ignore = DockerFiles.read(ROOT.resolve(".dockerignore"));
        for (String source : copied) {
            assertThat(ignore.lines().map(String::strip)).as(".dockerignore must not exclude " + source)
                    .doesNotContain(source, source + "/", "/" + source);
        }
        assertThat(ignore.lines().map(String::strip)).contains(".git", "target", "**/target", ".local");
    }

    @Test
    void runtimeStageHasTheLaunchersLayoutAndChecksHealth() {
        String launcher = DockerFiles.read(ROOT.resolve("bin/connectors"));
        assertThat(launcher).as("bin/connectors reads the distribution from here")
                .contains("home=\"${CONNECTORS_HOME:-", "lib=\"$home/target/connectors/lib\"");

        String runtime = DOCKERFILE.get(DOCKERFILE.size() - 1).stage();
        Map<String, String> env = DockerFiles.env(DOCKERFILE, runtime);
        String home = env.get("CONNECTORS_HOME");
        assertThat(home).as("CONNECTORS_HOME of the runtime stage").isNotBlank();
        Map<String, String> copies = new LinkedHashMap<>();
        for (Instruction i : DOCKERFILE) {
            if (i.keyword().equals("COPY") && i.stage().equals(runtime)) {
                List<String> words = DockerFiles.words(i.arguments()).stream().filter(w -> !w.startsWith("--")).toList();
                copies.put(words.get(0), words.get(words.size() - 1));
            }
        }
        assertThat(copies).containsEntry("/src/target/connectors/lib", home + "/target/connectors/lib")
                .containsEntry("/src/bin/connectors", home + "/bin/connectors")
                .containsEntry("docker/healthcheck", home + "/bin/healthcheck");
        assertThat(ROOT.resolve("docker/healthcheck")).isRegularFile();
        assertThat(Files.isExecutable(ROOT.resolve("docker/healthcheck"))).as("docker/healthcheck is executable").isTrue();

        assertThat(instruction(runtime, "ENTRYPOINT")).isEqualTo("[\"" + home + "/bin/connectors\"]");
        assertThat(instruction(runtime, "CMD")).isEqualTo("[\"run\"]");
        assertThat(instruction(runtime, "HEALTHCHECK")).endsWith("CMD [\"" + home + "/bin/healthcheck\"]");
        assertThat(instruction(runtime, "USER")).as("a non-root user, by number").matches("[1-9][0-9]*:[1-9][0-9]*");
        assertThat(env).containsEntry("CONNECTORS_DAEMON_HTTP_HOST", "0.0.0.0");
        assertThat(instruction(runtime, "EXPOSE")).isEqualTo(env.get("CONNECTORS_DAEMON_HTTP_PORT"));
    }

    @Test
    void baseImagesArePinnedByVersionTag() {
        List<String> images = DOCKERFILE.stream().filter(i -> i.keyword().equals("FROM"))
                .map(i -> i.arguments().split("\\s+")[0]).toList();
        assertThat(images).hasSize(2).allSatisfy(image -> assertThat(image)
                .as("a base image pinned by a version tag (not latest, not a bare major)")
                .matches("[a-z0-9./-]+:[0-9]+\\.[0-9]+\\.[0-9][^:@\\s]*"));
    }

    private static String instruction(String stage, String keyword) {
        List<String> found = DOCKERFILE.stream().filter(i -> i.stage().equals(stage) && i.keyword().equals(keyword))
                .map(Instruction::arguments).toList();
        assertThat(found).as(keyword + " in stage " + stage).hasSize(1);
        return found.get(0);
    }

    /** The command of the Makefile's {@code build} target, its variables expanded to their defaults, as words. */
    private static List<String> makeBuildCommand() {
        List<String> lines = DockerFiles.read(ROOT.resolve("Makefile")).lines().toList();
        Map<String, String> variables = new LinkedHashMap<>();
        List<String> recipe = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            Matcher m = MAKE_VARIABLE.matcher(line);
            if (m.matches()) {
                if (m.group(2).equals("?=")) {
                    variables.putIfAbsent(m.group(1), m.group(3).strip());
                } else {
                    variables.put(m.group(1), m.group(3).strip());
                }
            } else if (line.matches("^maven-build\\s*:.*")) {
                for (int r = n + 1; r < lines.size() && lines.get(r).startsWith("\t"); r++) {
                    recipe.add(lines.get(r).strip());
                }
            }
        }
        assertThat(recipe).as("the recipe of the Makefile's maven-build target (make build runs it quietly)").hasSize(1);
        return DockerFiles.words(expand(recipe.get(0), variables, 0));
    }

    private static String expand(String text, Map<String, String> variables, int depth) {
        assertThat(depth).as("make variables nested too deep in " + text).isLessThan(10);
        Matcher m = MAKE_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = variables.get(m.group(1));
            assertThat(value).as("Makefile variable " + m.group(1)).isNotNull();
            m.appendReplacement(out, Matcher.quoteReplacement(expand(value, variables, depth + 1)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static List<String> reactorModules() {
        String pom = DockerFiles.read(ROOT.resolve("pom.xml"));
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        List<String> modules = new ArrayList<>();
        while (m.find()) {
            modules.add(m.group(1).strip());
        }
        assertThat(modules).as("modules of the root pom.xml").isNotEmpty();
        return modules;
    }
}
