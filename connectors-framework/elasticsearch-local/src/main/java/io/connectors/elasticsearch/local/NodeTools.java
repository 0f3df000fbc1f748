package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the distribution's command-line tools ({@code bin/elasticsearch-users}, {@code -keystore}, {@code -certutil})
 * for one node: as the node's user, with the node's configuration folder, feeding them their standard input and
 * appending their output to {@code logs/setup.log}, whose tail a failure quotes.
 *
 * @param installDir the unpacked distribution
 * @param dataDir    the node's data folder
 * @param asRoot     whether the launcher runs as root (the tools then run as the unprivileged user, like the node)
 * @param javaHome   the JVM the tools run on
 */
record NodeTools(Path installDir, Path dataDir, boolean asRoot, Path javaHome) {
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);
    private static final int LOG_TAIL_LINES = 40;

    /** Runs {@code bin/<tool> <args>} with {@code stdin} as its input; fails with the output's tail. */
    void run(String tool, List<String> args, String stdin) {
        List<String> command = new ArrayList<>(asRoot ? UnprivilegedUser.commandPrefix() : List.of());
        command.add(installDir.resolve("bin").resolve(tool).toString());
        command.addAll(args);
        Path output = dataDir.resolve("logs").resolve("setup.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        environment(builder.environment(), javaHome, dataDir);
        try {
            Process running = builder.start();
            try (OutputStream in = running.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!running.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                running.destroyForcibly();
                throw new ElasticsearchLaunchException("bin/" + tool + " did not finish within " + TOOL_TIMEOUT);
            }
            if (running.exitValue() != 0) {
                throw new ElasticsearchLaunchException("bin/" + tool + " " + args.get(0) + " failed with exit code "
                        + running.exitValue() + ":\n" + NodeProcesses.tail(output, LOG_TAIL_LINES));
            }
        } catch (IOException e) {
            throw new ElasticsearchLaunchException("Cannot run bin/" + tool + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ElasticsearchLaunchException("Interrupted while running bin/" + tool, e);
        }
    }

    /** The environment of the node's scripts: its JVM and folders, and none of the caller's Java settings. */
    static void environment(Map<String, String> env, Path javaHome, Path dataDir) {
        // The scripts warn about, or are confused by, the caller's Java settings.
        Stream.of("JAVA_HOME", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS", "ES_JAVA_OPTS", "CLI_JAVA_OPTS",
                "ES_HOME").forEach(env::remove);
        env.put("ES_JAVA_HOME", javaHome.toString());
        env.put("ES_PATH_CONF", dataDir.resolve("config").toString());
        env.put("ES_TMPDIR", dataDir.resolve("tmp").toString());
    }
}
