package io.connectors.elasticsearch.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** A stand-in for the daemon: starts a node that keeps its data, says where, and waits to be killed. */
public final class StaleLauncherMain {

    static final String READY = "READY ";

    private StaleLauncherMain() {
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        LocalElasticsearchLauncher launcher = LocalElasticsearchLauncher.builder().home(Path.of(args[0]))
                .dataDir(Path.of(args[1])).keepData(true).build().start();
        Files.writeString(Path.of(args[0]).resolve("actual-data-dir"), launcher.dataDir().toString());
        System.out.println(READY + launcher.endpoint().uri());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** The line announcing the node, read from the child's output (which is echoed for the test log). */
    static String awaitReadyLine(Process child) {
        try {
            BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                System.out.println("[daemon] " + line);
                if (line.startsWith(READY)) {
                    return line;
                }
            }
            throw new IllegalStateException("The daemon exited with " + child.waitFor() + " before it was ready");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Where the daemon really put its data (a fallback folder when the requested one was unreachable). */
    static Path dataDirOf(Path home, Path requested) throws IOException {
        Path note = home.resolve("actual-data-dir");
        return Files.exists(note) ? Path.of(Files.readString(note).trim()) : requested;
    }
}
