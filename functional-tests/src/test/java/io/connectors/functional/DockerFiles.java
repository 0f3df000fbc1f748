package io.connectors.functional;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads the repository's Docker files for {@link DockerConfigTest} and {@link DockerfileBuildTest}: the instructions of
 * {@code docker/Dockerfile} (as Docker reads them: continuation lines joined, comments dropped), and
 * {@code docker/compose.yml} with its {@code ${VAR:-default}} references resolved to their defaults, which is what
 * compose does when neither the shell nor {@code docker/.env} sets them.
 */
final class DockerFiles {
    private static final Pattern COMPOSE_REF = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?}");

    private DockerFiles() {
    }

    /** The repository root: the nearest folder above the working directory with docker/Dockerfile and a Makefile. */
    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docker/Dockerfile")) && Files.isRegularFile(p.resolve("Makefile"))) {
                return p;
            }
        }
        throw new IllegalStateException("no folder above " + Path.of("").toAbsolutePath()
                + " holds docker/Dockerfile and a Makefile");
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One Dockerfile instruction: its keyword in upper case, its arguments, and the stage it belongs to. */
    record Instruction(String keyword, String arguments, String stage) {
    }

    /** The instructions of a Dockerfile, in order. A stage is named by its {@code AS} name, else its base image. */
    static List<Instruction> dockerfile(Path file) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        String stage = "";
        for (String line : read(file).split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String text = current.toString().strip();
            current.setLength(0);
            if (text.isEmpty()) {
                continue;
            }
            String[] parts = text.split("\\s+", 2);
            String keyword = parts[0].toUpperCase(Locale.ROOT);
            String arguments = parts.length > 1 ? parts[1].strip() : "";
            if (keyword.equals("FROM")) {
                String[] from = arguments.split("\\s+");
                stage = from.length >= 3 && from[from.length - 2].equalsIgnoreCase("AS") ? from[from.length - 1] : from[0];
            }
            out.add(new Instruction(keyword, arguments, stage));
        }
        if (current.length() > 0) {
            throw new IllegalStateException(file + " ends inside a continued line");
        }
        return out;
    }

    /** The variables the {@code ENV} instructions of {@code stage} set ({@code KEY=value} forms, quotes removed). */
    static Map<String, String> env(List<Instruction> instructions, String stage) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Instruction i : instructions) {
            if (!i.keyword().equals("ENV") || !i.stage().equals(stage)) {
                continue;
            }
            for (String word : words(i.arguments())) {
                int eq = word.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalStateException("ENV " + i.arguments() + ": use the KEY=value form");
                }
                env.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return env;
    }

    /** Splits on blanks outside double quotes, and removes the quotes. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : text.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (any) {
                    out.add(word.toString());
                    word.setLength(0);
                    any = false;
                }
            } else {
                word.append(c);
                any = true;
            }
        }
        if (quoted) {
            throw new IllegalStateException("unbalanced quotes in: " + text);
        }
        if (any) {
            out.add(word.toString());
        }
        return out;
    }

    /**
     * A compose file as compose reads it with an empty environment: in every string value, each
     * {@code ${VAR:-default}} and {@code ${VAR-default}} replaced by its default and {@code $$} by {@code $}. A
     * reference without a default is an error: the stack must start without a {@code .env} file.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> compose(Path file) {
        Object yaml = new Yaml().load(read(file));
        if (!(yaml instanceof Map)) {
            throw new IllegalStateException(file + ": the top level must be a mapping");
        }
        return (Map<String, Object>) interpolate(yaml, file);
    }

    private static Object interpolate(Object value, Path file) {
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, interpolate(v, file)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(v -> interpolate(v, file)).toList();
        }
        if (!(value instanceof String text)) {
            return value;
        }
        Matcher m = COMPOSE_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) {
                replacement = "$";
            } else if (m.group(2) == null) {
                throw new IllegalStateException(file + ": ${" + m.group(1) + "} has no default; write ${"
                        + m.group(1) + ":-value} so the stack starts without a .env file");
            } else {
                replacement = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A service of a compose file, by name. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> service(Map<String, Object> compose, String name) {
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        Object service = services == null ? null : services.get(name);
        if (!(service instanceof Map)) {
            throw new IllegalStateException("compose file has no service '" + name + "'");
        }
        return (Map<String, Object>) service;
    }

    /** A service's {@code environment}, as a map of strings (the map and the {@code KEY=value} list forms). */
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object value = service.get("environment");
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (value instanceof List<?> l) {
            for (Object item : l) {
                String s = String.valueOf(item);
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return env;
    }
}
