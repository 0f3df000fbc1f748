package io.connectors.functional.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.ProgressPoint;
import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import io.connectors.testkit.functional.SourceFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code daemon-killed-resume} and {@code daemon-stopped-resume}: a PostgreSQL full sync of 1,000,000 rows (the ftest
 * fixture, divided into key-range splits) interrupted at about half, by {@code kill -9} or by SIGTERM, then a new daemon
 * on the same configuration. Expected: the new daemon resumes the same job (after the heartbeat timeout when the first
 * was killed; at once when it suspended it): splits done are not read again, a started split continues from its saved
 * position, so at most 10% of the rows are read twice (from the job record's counts: the resumed attempt's
 * {@code seen} plus its {@code skipped_by_resume}, what the first attempt's saved positions covered, less the rows); no
 * new start-up sync is queued;
 * the index equals the source.
 */
final class DaemonKilledResume implements ChaosScenario {
    static final int ROWS = Integer.parseInt(System.getenv().getOrDefault("CHAOS_RESUME_ROWS", "1000000"));
    /** The most a resume may read again, as a share of the rows. */
    static final double MAX_REREAD = 0.10;
    private final boolean kill;

    DaemonKilledResume(boolean kill) {
        this.kill = kill;
    }

    @Override
    public String name() {
        return kill ? "daemon-killed-resume" : "daemon-stopped-resume";
    }

    @Override
    public String fault() {
        return String.format(Locale.ROOT, "the daemon %s at about half of a PostgreSQL full sync of %,d rows, then a new"
                + " daemon started", kill ? "kill -9ed" : "stopped (SIGTERM)", ROWS);
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        try (SourceFixture fixture = FixtureLoader.load("postgresql");
             SourceChaos chaos = SourceChaos.open(context, name(), "1g")) {
            fixture.start(chaos.work.resolve("backend"));
            Instant loading = Instant.now();
            fixture.load(ROWS);
            context.say(name(), "loaded %,d rows in %s", ROWS, FaultKit.seconds(FaultKit.since(loading)));
            Path config = chaos.config("config", "postgresql", fixture.connectorConfiguration(), FaultKit.FAST_HEARTBEATS);

            DaemonProcess victim = chaos.start(config);
            ProgressPoint at = FaultKit.awaitIndexed(victim, ROWS / 2, Duration.ofMinutes(10));
            Instant fault = Instant.now();
            if (kill) {
                ProcessHandle handle = ProcessHandle.of(victim.pid()).orElseThrow();
                handle.destroyForcibly();
                handle.onExit().get(30, TimeUnit.SECONDS);
            } else {
                victim.stop();
            }
            context.say(name(), "daemon (pid %d) %s at %,d seen, %,d indexed", victim.pid(), kill ? "killed" : "stopped",
                    at.seen(), at.indexed());

            List<JsonNode> before = FaultKit.jobs(chaos.es);
            result.checkEquals("one job", 1, before.size());
            JsonNode interrupted = before.get(0);
            String jobId = interrupted.path("job_id").asText();
            result.checkEquals("the interrupted job's status", kill ? "in_progress" : "suspended",
                    interrupted.path("status").asText());
            long covered = 0;
            long open = 0;
            for (JsonNode split : interrupted.path("splits")) {
                covered += split.path("seen").asLong();
                open += "done".equals(split.path("state").asText()) ? 0 : 1;
            }
            int splits = interrupted.path("splits").size();
            result.check("the full sync was divided into splits", splits > 1, splits + " splits");
            result.check("the first daemon's progress is saved in the job record", covered > 0,
                    String.format(Locale.ROOT, "%,d rows covered, %d of %d splits open", covered, open, splits));

            DaemonProcess second = chaos.start(config);
            SyncOutcome resumed = chaos.await(second, fault);
            result.check("the new daemon's sync completed", resumed.completed(), resumed.status() + " " + resumed.counts());
            List<JsonNode> after = FaultKit.jobs(chaos.es);
            result.check("the job was resumed, not replaced by a new one", after.size() == 1
                    && jobId.equals(after.get(0).path("job_id").asText()), FaultKit.describeJobs(after));
            JsonNode done = after.get(after.size() - 1);
            long seen = done.path("counts").path("seen").asLong();
            long skipped = done.path("counts").path("skipped_by_resume").asLong();
            // What the resume did not read is what the saved positions covered when it started: at least what the
            // record showed just after the fault (a save the first daemon sent just before it died may land later).
            // Rows read twice: what the first daemon read (its last progress line, a lower bound) and what the
            // resumed attempt read, beyond the rows.
            List<ProgressPoint> points = victim.progress(FaultKit.CONNECTOR);
            long firstRead = points.isEmpty() ? at.seen() : points.get(points.size() - 1).seen();
            long reread = firstRead + seen - ROWS;
            result.checkEquals("the job's status", "completed", done.path("status").asText());
            result.checkEquals("its attempt", 2, done.path("attempt").asInt());
            result.check("the resume did not read what the first attempt's positions covered", skipped >= covered,
                    String.format(Locale.ROOT, "skipped_by_resume %,d, covered after the fault %,d", skipped, covered));
            result.checkEquals("the resumed attempt read exactly what the saved positions did not cover (read +"
                    + " skipped)", (long) ROWS, seen + skipped);
            result.check(String.format(Locale.ROOT, "at most %.0f%% of the rows read again", MAX_REREAD * 100),
                    reread <= MAX_REREAD * ROWS, String.format(Locale.ROOT,
                            "%,d read again (%.2f%%): the first daemon read at least %,d, its saved positions covered %,d,"
                                    + " the resumed attempt read %,d", reread, 100.0 * reread / ROWS, firstRead, skipped, seen));
            Verification v = chaos.verify(fixture);
            result.check("index equal to the source", v.equal(), v.summary());
            Duration recovery = FaultKit.since(fault);
            result.note("job record: " + FaultKit.describeJobs(after));
            // A drain reads on to each split's next position: the first daemon may have read more than its last
            // progress line said, and nothing was read twice then.
            long twice = Math.max(0, reread);
            return result.outcome(String.format(Locale.ROOT, "%s at %,d of %,d indexed; the new daemon resumed the job"
                                    + " (%d splits): %,d rows not read again, %,d read, %,d read twice (%.2f%%); index"
                                    + " equal %s after the fault",
                            kill ? "killed" : "stopped", at.indexed(), ROWS, splits, skipped, seen, twice,
                            100.0 * twice / ROWS, FaultKit.seconds(recovery)))
                    .documentsLost(v.documentsLost())
                    .recovery(recovery).build();
        }
    }
}
