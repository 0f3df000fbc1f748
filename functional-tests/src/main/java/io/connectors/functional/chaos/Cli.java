package io.connectors.functional.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code bin/connectors} to its end, as a user would, and keeps what it printed. */
final class Cli {
    /** What one command did: its exit code, standard output and standard error. */
    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private final Path home;
    private final Path logs;
    private final Map<String, String> environment;
    private int runs;

    /**
     * @param home        the repository (its {@code bin/connectors} and distribution)
     * @param logs        where each command's output is kept ({@code cli-N.out}, {@code cli-N.err})
     * @param environment extra environment variables ({@code CONNECTORS_*} of the caller are removed first)
     */
    Cli(Path home, Path logs, Map<String, String> environment) {
        this.home = home;
        this.logs = logs;
        this.environment = Map.copyOf(environment);
    }

    Result run(Duration timeout, String... args) throws IOException, InterruptedException {
        int n = ++runs;
        Path out = logs.resolve("cli-" + n + ".out");
        Path err = logs.resolve("cli-" + n + ".err");
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/connectors").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(logs.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("CONNECTORS_"));
        pb.environment().put("CONNECTORS_HOME", home.toString());
        pb.environment().put("CONNECTORS_JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1");
        pb.environment().putAll(environment);
        Files.writeString(logs.resolve("cli-" + n + ".cmd"), String.join(" ", args) + "\n");
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("connectors " + String.join(" ", args) + " did not end within " + timeout);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
