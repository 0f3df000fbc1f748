package io.connectors.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WorkerProcessTest {

    @Test
    void aParserProcessInheritsNoneOfTheDaemonsEnvironmentButTheLocaleAndPaths() throws Exception {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        try (WorkerProcess worker = WorkerProcess.start(new ExtractionLimits(1, 64L << 20, Duration.ofSeconds(30),
                1 << 20, 1000, 10), watchdog, null)) {
            Path environ = Path.of("/proc", Long.toString(worker.pid()), "environ");
            Set<String> names = Arrays.stream(new String(Files.readAllBytes(environ), StandardCharsets.UTF_8).split("\0"))
                    .filter(e -> !e.isEmpty()).map(e -> e.substring(0, e.indexOf('='))).collect(Collectors.toSet());
            assertThat(System.getenv().keySet()).as("the test's own environment has more than the parser keeps")
                    .anyMatch(k -> !WorkerProcess.INHERITED.contains(k) && !k.startsWith("LC_"));
            assertThat(names).allMatch(k -> WorkerProcess.INHERITED.contains(k) || k.startsWith("LC_"));
        } finally {
            watchdog.shutdownNow();
        }
    }
}
