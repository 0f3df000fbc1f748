package io.connectors.functional.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's result: the figures with their targets and verdicts, the conditions they were measured in, and
 * detail tables (every Elasticsearch trial, the CPU split, the sync counts). Written as Markdown for people and
 * as JSON for tools; both carry the same numbers.
 */
final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String source;
    private final Map<String, Object> conditions = new LinkedHashMap<>();
    private final List<Figure> figures = new ArrayList<>();
    private final List<Section> sections = new ArrayList<>();
    private final Map<String, Object> details = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    /**
     * A detail table.
     *
     * @param title  its heading
     * @param header column names
     * @param rows   cells, as many per row as {@code header}
     */
    record Section(String title, List<String> header, List<List<String>> rows) {
        Section {
            for (List<String> row : rows) {
                if (row.size() != header.size()) {
                    throw new IllegalArgumentException("row " + row + " does not have the " + header.size()
                            + " cells of " + header);
                }
            }
        }
    }

    BenchReport(String source) {
        this.source = source;
    }

    String source() {
        return source;
    }

    /** A line of the conditions list (date, versions, machine); also a key of the JSON's {@code conditions}. */
    BenchReport condition(String name, Object value) {
        conditions.put(name, value);
        return this;
    }

    BenchReport figure(Figure figure) {
        figures.add(figure);
        return this;
    }

    BenchReport section(Section section) {
        sections.add(section);
        return this;
    }

    /** Structured data kept only in the JSON (under {@code details.<name>}). */
    BenchReport detail(String name, Object value) {
        details.put(name, value);
        return this;
    }

    /** A sentence printed under the table (a failure, a caveat). */
    BenchReport note(String text) {
        notes.add(text);
        return this;
    }

    List<Figure> figures() {
        return List.copyOf(figures);
    }

    /** The figures as a Markdown table: figure, value, target, verdict. */
    String table() {
        StringBuilder md = new StringBuilder();
        row(md, List.of("Figure", "Value", "Target", "Verdict"));
        row(md, List.of("---", "---", "---", "---"));
        for (Figure f : figures) {
            row(md, List.of(f.label(), f.display(), f.targetText(), f.verdictText()));
        }
        return md.toString();
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark: ").append(source).append("\n\n");
        conditions.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        md.append('\n').append(table());
        if (!notes.isEmpty()) {
            md.append('\n');
            for (String n : notes) {
                md.append("- ").append(n).append('\n');
            }
        }
        for (Section s : sections) {
            md.append("\n## ").append(s.title()).append("\n\n");
            row(md, s.header());
            row(md, s.header().stream().map(h -> "---").toList());
            for (List<String> r : s.rows()) {
                row(md, r);
            }
        }
        return md.toString();
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("conditions", conditions);
        m.put("figures", figures.stream().map(Figure::toJson).toList());
        m.put("notes", notes);
        m.put("details", details);
        return m;
    }

    /** Writes {@code bench-<source>.md} and {@code bench-<source>.json} into {@code dir}; returns the Markdown file. */
    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve("bench-" + source + ".md");
        Files.writeString(md, markdown());
        JSON.writeValue(dir.resolve("bench-" + source + ".json").toFile(), json());
        return md;
    }

    private static void row(StringBuilder md, List<String> cells) {
        md.append('|');
        for (String c : cells) {
            md.append(' ').append(c == null ? "" : c.replace("|", "\\|").replace("\n", " ")).append(" |");
        }
        md.append('\n');
    }
}
