package io.connectors.runtime.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code config.yml} into plain maps and lists, refusing duplicate keys, and substitutes
 * {@code ${NAME}} references to environment variables in string values (so secrets can stay out of the file).
 */
final class YamlReader {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private YamlReader() {
    }

    static Map<String, Object> read(Path file, Function<String, String> env) {
        String name = file.toString();
        Object root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(20);
            root = new Yaml(new SafeConstructor(options)).load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, List.of("file not found"));
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null ? ""
                    : " at line " + (e.getProblemMark().getLine() + 1) + ", column " + (e.getProblemMark().getColumn() + 1);
            throw new ConfigException(name, List.of("not valid YAML" + where + ": " + e.getProblem()));
        } catch (YAMLException e) {
            throw new ConfigException(name, List.of("not valid YAML: " + e.getMessage()));
        } catch (IOException e) {
            throw new ConfigException(name, List.of("cannot be read: " + e.getMessage()));
        }
        if (root == null) {
            return new LinkedHashMap<>();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException(name, List.of("the top level must be a mapping of keys to values"));
        }
        List<String> problems = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> resolved = (Map<String, Object>) substitute(map, "", env, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(name, problems);
        }
        return resolved;
    }

    private static Object substitute(Object value, String path, Function<String, String> env, List<String> problems) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                out.put(key, substitute(e.getValue(), path.isEmpty() ? key : path + "." + key, env, problems));
            }
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (int i = 0; i < l.size(); i++) {
                out.add(substitute(l.get(i), path + "[" + i + "]", env, problems));
            }
            return out;
        }
        if (value instanceof String s && s.contains("${")) {
            Matcher m = ENV_REF.matcher(s);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = env.apply(m.group(1));
                if (v == null) {
                    v = m.group(2);
                }
                if (v == null) {
                    problems.add(path + ": environment variable " + m.group(1) + " is not set");
                    v = "";
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            m.appendTail(sb);
            return sb.toString();
        }
        if (value instanceof java.util.Date d) {
            // YAML turns bare dates into Dates; keep what the user wrote instead.
            return d.toInstant().toString();
        }
        return value;
    }
}
