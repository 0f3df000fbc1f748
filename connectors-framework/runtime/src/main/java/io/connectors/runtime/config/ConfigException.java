package io.connectors.runtime.config;

import java.util.List;

/**
 * The configuration was refused. The message lists every problem found, each with the file and the key, so a
 * user fixes them all in one go. It never contains a secret.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(format(source, problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as {@code key: what is wrong}. */
    public List<String> problems() {
        return problems;
    }

    private static String format(String source, List<String> problems) {
        StringBuilder sb = new StringBuilder("Invalid configuration in ").append(source).append(':');
        for (String p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
