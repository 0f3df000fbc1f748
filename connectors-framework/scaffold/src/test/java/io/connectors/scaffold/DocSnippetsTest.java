package io.connectors.scaffold;

import static io.connectors.scaffold.RepositoryFiles.REPOSITORY;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The code in the documentation is code that compiles and is tested: a fenced block placed right after
 * {@code <!-- snippet: path#name -->} must equal the lines between {@code tag::name[]} and {@code end::name[]} in that
 * file (in a comment of its language), less their common indentation. In docs/DEVELOPING.md every Java block must be
 * such a snippet.
 *
 * <p>After changing tagged code, {@code mvn -pl connectors-framework/scaffold test -Dtest=DocSnippetsTest
 * -Dsnippets.update=true} rewrites the blocks from the sources.
 */
class DocSnippetsTest {
    private static final Pattern SNIPPET = Pattern.compile(
            "<!-- snippet: ([^#\\s]+)#([\\w-]+) -->\\n```(\\w*)\\n(.*?)```\\n", Pattern.DOTALL);
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?m)^```java$");
    private static final boolean UPDATE = Boolean.getBoolean("snippets.update");

    @Test
    void everySnippetEqualsTheTaggedCodeOfItsFile() throws IOException {
        SoftAssertions softly = new SoftAssertions();
        int checked = 0;
        for (Path doc : documents()) {
            String text = Files.readString(doc, StandardCharsets.UTF_8);
            Matcher m = SNIPPET.matcher(text);
            StringBuilder updated = new StringBuilder();
            while (m.find()) {
                checked++;
                String where = REPOSITORY.relativize(doc) + " snippet " + m.group(1) + "#" + m.group(2);
                String expected = region(REPOSITORY.resolve(m.group(1)), m.group(2), where);
                if (UPDATE) {
                    m.appendReplacement(updated, Matcher.quoteReplacement("<!-- snippet: " + m.group(1) + "#"
                            + m.group(2) + " -->\n```" + m.group(3) + "\n" + expected + "```\n"));
                } else {
                    softly.assertThat(m.group(4)).as(where + " (rewrite it with -Dsnippets.update=true)")
                            .isEqualTo(expected);
                }
            }
            if (UPDATE) {
                m.appendTail(updated);
                Files.writeString(doc, updated.toString(), StandardCharsets.UTF_8);
            }
        }
        softly.assertAll();
        assertThat(checked).as("snippets found in docs/").isGreaterThanOrEqualTo(8);
    }

    @Test
    void everyJavaBlockOfTheDevelopersGuideIsASnippet() throws IOException {
        String guide = Files.readString(REPOSITORY.resolve("docs/DEVELOPING.md"), StandardCharsets.UTF_8);
        Matcher java = JAVA_BLOCK.matcher(guide);
        List<String> unchecked = new ArrayList<>();
        while (java.find()) {
            String before = guide.substring(0, java.start());
            String previousLine = before.substring(before.lastIndexOf('\n', before.length() - 2) + 1).strip();
            if (!previousLine.startsWith("<!-- snippet: ")) {
                unchecked.add("line " + (before.split("\n", -1).length));
            }
        }
        assertThat(unchecked).as("Java blocks of docs/DEVELOPING.md not taken from a compiled, tested file").isEmpty();
    }

    /** The lines between the file's tag::name[] and end::name[] markers, less their common indentation. */
    static String region(Path file, String name, String where) throws IOException {
        assertThat(file).as(where + ": the file").isRegularFile();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> region = null;
        for (String line : lines) {
            if (line.contains("tag::" + name + "[]")) {
                assertThat(region).as(where + ": tag::" + name + "[] twice in " + file).isNull();
                region = new ArrayList<>();
            } else if (line.contains("end::" + name + "[]")) {
                assertThat(region).as(where + ": end::" + name + "[] before its tag in " + file).isNotNull();
                return unindent(region);
            } else if (region != null && !line.contains("tag::") && !line.contains("end::")) {
                region.add(line);
            }
        }
        throw new AssertionError(where + ": no region tag::" + name + "[] ... end::" + name + "[] in " + file);
    }

    private static String unindent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        }
        return out.toString();
    }

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(REPOSITORY.resolve("README.md")));
        try (Stream<Path> files = Files.walk(REPOSITORY.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }
}
