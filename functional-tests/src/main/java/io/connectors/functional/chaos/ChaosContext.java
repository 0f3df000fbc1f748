package io.connectors.functional.chaos;

import io.connectors.elasticsearch.local.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a chaos run works: the repository (for {@code bin/connectors} and the distribution), the output folder
 * ({@code functional-tests/target/chaos/}) and a fresh work folder per scenario.
 */
public final class ChaosContext {
    private final Path home;
    private final Path out;
    private final String daemonJavaOpts;

    ChaosContext(Path home, Path out, String daemonJavaOpts) {
        this.home = home;
        this.out = out;
        this.daemonJavaOpts = daemonJavaOpts;
    }

    /** The repository root: {@code bin/connectors}, {@code target/connectors/lib}. */
    public Path home() {
        return home;
    }

    /** {@code functional-tests/target/chaos}: reports, and the logs and configs of each scenario under its name. */
    public Path out() {
        return out;
    }

    /** An empty folder for the scenario's data, logs and configs: {@code out()/<scenario>/}, emptied first. */
    public Path work(String scenario) throws IOException {
        Path dir = out.resolve(scenario);
        FileTrees.delete(dir);
        Files.createDirectories(dir);
        return dir;
    }

    /** JVM options for daemons ({@code CHAOS_DAEMON_JAVA_OPTS}, default the launcher's). */
    public String daemonJavaOpts() {
        return daemonJavaOpts;
    }

    /** A progress line on standard output, prefixed with the scenario. */
    public void say(String scenario, String format, Object... args) {
        System.out.println("chaos[" + scenario + "]: " + String.format(Locale.ROOT, format, args));
    }
}
