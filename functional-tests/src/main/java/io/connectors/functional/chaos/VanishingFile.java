package io.connectors.functional.chaos;

import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.ProgressPoint;
import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import io.connectors.testkit.functional.SourceFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code vanishing-file}: files deleted while a full sync walks the tree (12,000 files, folders of 800), around and
 * ahead of the walk: at each progress line, every fourth file of the 4,000 past the documents seen so far (in the
 * walk's order), so some are deleted after their folder was listed and before they are read. The walk's summary line must count them
 * ("vanished before they were read": by the walk's stat, or by the reading of the changed files); the sync completes,
 * and the next one leaves the index equal to the tree.
 */
final class VanishingFile implements ChaosScenario {
    static final int FILES = 12_000;
    private static final Pattern VANISHED = Pattern.compile("(\\d+) vanished before they were read");

    @Override
    public String name() {
        return "vanishing-file";
    }

    @Override
    public String fault() {
        return "files of a 12,000-file tree deleted just ahead of the walk, during the full sync";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        try (SourceFixture fixture = FixtureLoader.load("directory"); SourceChaos chaos = SourceChaos.open(context, name())) {
            fixture.start(chaos.work.resolve("backend"));
            fixture.load(FILES);
            Map<String, Object> configuration = fixture.connectorConfiguration();
            Path root = Path.of(String.valueOf(configuration.get("path")));
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root)) {
                // The walk's order: by name within each folder, depth first (every file of the fixture is in a leaf).
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            Path config = chaos.config("config", "directory", configuration, Map.of());
            Instant t = Instant.now();
            DaemonProcess daemon = chaos.start(config);
            java.util.concurrent.atomic.AtomicInteger deletedCount = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread deleter = new Thread(() -> {
                long lastSeen = -1;
                try {
                    while (!stop.get()) {
                        List<ProgressPoint> points = daemon.progress(SourceChaos.CONNECTOR);
                        long seen = points.isEmpty() ? 0 : points.get(points.size() - 1).seen();
                        if (seen > 0 && seen != lastSeen) {
                            lastSeen = seen;
                            for (int i = (int) seen; i < Math.min(files.size(), seen + 4_000); i += 4) {
                                if (Files.deleteIfExists(files.get(i))) {
                                    deletedCount.incrementAndGet();
                                }
                            }
                        }
                        TimeUnit.MILLISECONDS.sleep(20);
                    }
                } catch (IOException | InterruptedException e) {
                    context.say(name(), "deleter stopped: %s", e);
                }
            }, "chaos-deleter");
            deleter.start();
            SyncOutcome first;
            try {
                first = chaos.await(daemon, t);
            } finally {
                stop.set(true);
                deleter.join();
            }
            int deleted = deletedCount.get();
            long vanished = vanished(chaos);
            context.say(name(), "%d files deleted during the sync, %d vanished between listing and reading", deleted, vanished);
            result.check("files were deleted during the sync", deleted > 0, deleted + " deleted");
            result.check("some vanished between their folder's listing and their reading (walk summary)", vanished > 0,
                    vanished + " vanished");
            result.checkEquals("the sync completes without failures", List.of("completed", 0L),
                    List.of(first.status(), first.count("failed")));
            SyncOutcome second = chaos.sync(config);
            result.checkEquals("the next sync completes", "completed", second.status());
            Verification v = chaos.verify(fixture);
            result.check("index equal to the tree", v.equal(), v.summary());
            return result.outcome(deleted + " files deleted during the sync, " + vanished + " of them between listing and"
                            + " reading: skipped and counted, the sync completed; the next one removed the "
                            + second.count("deleted") + " indexed before their deletion")
                    .documentsLost(v.documentsLost()).build();
        }
    }

    private static long vanished(SourceChaos chaos) throws IOException {
        long n = 0;
        for (String line : chaos.logLines("vanished before they were read")) {
            Matcher m = VANISHED.matcher(line);
            if (m.find()) {
                n += Long.parseLong(m.group(1));
            }
        }
        return n;
    }
}
