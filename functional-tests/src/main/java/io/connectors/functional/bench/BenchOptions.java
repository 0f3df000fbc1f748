package io.connectors.functional.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code make bench} was asked for.
 *
 * @param source        the source type ({@code NAME=})
 * @param documents     the size of the main run
 * @param flatness      also run a full sync at {@link #LARGE} documents, for the memory flatness figure
 * @param home          the repository (holds {@code bin/connectors} and the distribution)
 * @param outDir        where the report, JSON and charts go
 * @param workDir       where the fixture's backend and the NDJSON corpus live; deleted afterwards
 * @param daemonJavaOpts the daemon's JVM options (the launcher's defaults, so memory figures are what users get)
 * @param esHeap        heap of the local Elasticsearch the bench starts
 * @param quietMaxWait  longest wait for other processes to calm down before each measurement
 * @param realtime      run only the real-time latency phase ({@code SIZE=realtime}, {@link RealtimeLatency}) on
 *                      {@code documents} rows, instead of the sync measurements
 */
record BenchOptions(String source, int documents, boolean flatness, Path home, Path outDir, Path workDir,
                    String daemonJavaOpts, String esHeap, Duration quietMaxWait, boolean realtime) {

    static final int SMALL = 10_000;
    static final int MEDIUM = 100_000;
    static final int LARGE = 1_000_000;
    /** The launcher's own defaults (bin/connectors). */
    static final String DEFAULT_DAEMON_JAVA_OPTS = io.connectors.functional.DaemonProcess.LAUNCHER_JAVA_OPTS;

    /** The sources whose real-time latency the bench measures: those a {@code ChangeLoad} writes to. */
    static final java.util.Set<String> REALTIME_SOURCES = java.util.Set.of("postgresql", "mysql");

    private static final Map<String, Integer> SIZES = Map.of("small", SMALL, "medium", MEDIUM, "large", LARGE);

    static final String USAGE = """
            usage: BenchMain [--name TYPE] [--size small|medium|large|flatness|realtime|N] [--flatness]
                             [--home DIR] [--out DIR] [--work DIR] [--daemon-java-opts OPTS] [--es-heap 1g]
                             [--quiet-max-wait SECONDS]
              --size flatness   medium, plus a full sync at large (1,000,000) for the memory flatness figure
              --size realtime   only the change-to-searchable latency of a realtime: true connector (small table)
            """;

    /**
     * Parses {@code --key value} pairs; an unknown key or a bad size is an {@link IllegalArgumentException} whose
     * message says which.
     */
    static BenchOptions parse(String... args) {
        String source = "directory";
        String size = "medium";
        boolean flatness = false;
        Path home = Path.of(System.getProperty("connectors.home", ".")).toAbsolutePath().normalize();
        Path out = null;
        Path work = null;
        String javaOpts = DEFAULT_DAEMON_JAVA_OPTS;
        String esHeap = "1g";
        Duration quietMaxWait = Duration.ofMinutes(3);
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (key.equals("--flatness")) {
                flatness = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(key + " needs a value\n" + USAGE);
            }
            String value = args[++i];
            switch (key) {
                case "--name" -> source = nonBlank(key, value);
                case "--size" -> size = nonBlank(key, value).toLowerCase(Locale.ROOT);
                case "--home" -> home = Path.of(value).toAbsolutePath().normalize();
                case "--out" -> out = Path.of(value).toAbsolutePath().normalize();
                case "--work" -> work = Path.of(value).toAbsolutePath().normalize();
                case "--daemon-java-opts" -> javaOpts = nonBlank(key, value);
                case "--es-heap" -> esHeap = nonBlank(key, value);
                case "--quiet-max-wait" -> {
                    try {
                        quietMaxWait = Duration.ofSeconds(Long.parseLong(value.trim()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--quiet-max-wait takes seconds, not '" + value + "'");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + key + "\n" + USAGE);
            }
        }
        int documents;
        boolean realtime = false;
        if (size.equals("realtime")) {
            documents = SMALL;
            realtime = true;
        } else if (size.equals("flatness")) {
            documents = MEDIUM;
            flatness = true;
        } else if (SIZES.containsKey(size)) {
            documents = SIZES.get(size);
        } else {
            try {
                documents = Integer.parseInt(size.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--size must be small, medium, large, flatness, realtime or a number, not '"
                        + size + "'");
            }
            if (documents < 1) {
                throw new IllegalArgumentException("--size must be at least 1 document, not " + documents);
            }
        }
        if (realtime && flatness) {
            throw new IllegalArgumentException("--size realtime measures latency only; it has no flatness figure");
        }
        if (realtime && !REALTIME_SOURCES.contains(source)) {
            throw new IllegalArgumentException("--size realtime measures the real-time mode of a SQL source, whose"
                    + " database the bench writes to; use --name postgresql or --name mysql, not " + source);
        }
        if (flatness && documents >= LARGE) {
            throw new IllegalArgumentException("the flatness figure compares a smaller run with " + LARGE
                    + " documents; use --size medium --flatness");
        }
        Path outDir = out != null ? out : home.resolve("functional-tests/target");
        Path workDir = work != null ? work : Path.of(System.getProperty("java.io.tmpdir"), "connectors-bench-" + source);
        return new BenchOptions(source, documents, flatness, home, outDir, workDir, javaOpts, esHeap, quietMaxWait,
                realtime);
    }

    private static String nonBlank(String key, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(key + " must not be blank");
        }
        return value.trim();
    }
}
