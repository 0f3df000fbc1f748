package io.connectors.functional.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.connectors.functional.ChangeLoad;
import io.connectors.functional.DaemonProcess;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.IndexSeqProbe;
import io.connectors.functional.RealtimeWait;
import io.connectors.functional.Verification;
import io.connectors.testkit.functional.RealtimeBackend;
import io.connectors.testkit.functional.SourceFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code postgresql-realtime-killed}: a connector with {@code realtime: true} on a PostgreSQL table under a steady load
 * of single-row changes ({@value #RATE} a second: inserts, updates, updates of the primary key, deletes), its daemon
 * {@code kill -9}ed {@value #KILLS} times while it follows the replication slot: once at a random moment, once just
 * after a batch became searchable (so its cursor may not be saved nor the slot confirmed yet), each time started again
 * while the load goes on. Expected: each new daemon follows on from the saved cursor (no full sync again); once the
 * load stops, the index converges to exactly the table (ids and content digests, nothing lost, nothing extra); the
 * slot {@code connectors_chaos} is still there, its {@code confirmed_flush_lsn} advanced during the run and caught up
 * with the WAL once the changes stopped (the daemon confirms only what was written and saved, but must not make the
 * server keep what it no longer needs).
 *
 * <p>The shared server has {@code wal_level=replica}: the scenario runs on the private cluster of the PostgreSQL
 * fixture's {@link RealtimeBackend}, stopped and deleted at the end.
 */
final class PostgresqlRealtimeKilled implements ChaosScenario {
    static final int ROWS = 5_000;
    static final int RATE = 300;
    static final int KILLS = 2;
    static final String TABLE = PgTables.SCHEMA + ".items";
    /** The slot of connector {@link FaultKit#CONNECTOR}: {@code connectors_<id>}. */
    static final String SLOT = "connectors_" + FaultKit.CONNECTOR;
    private static final Duration FOLLOW_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration CONVERGE_TIMEOUT = Duration.ofMinutes(2);
    /** Three of the source's default replication_status_interval. */
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(30);
    /** What the PostgreSQL source logs when it starts streaming the slot, and from where. */
    private static final Pattern FOLLOWING_FROM = Pattern.compile("following replication slot '" + SLOT
            + "' from ([0-9A-F]+/[0-9A-F]+)");
    /** What the runtime logs when a full sync starts reading (FullSync). */
    private static final String FULL_SYNC = "a full sync in";

    @Override
    public String name() {
        return "postgresql-realtime-killed";
    }

    @Override
    public String fault() {
        return String.format(Locale.ROOT, "the daemon of a realtime: true PostgreSQL connector kill -9ed %d times while"
                + " it follows %d changes/s (inserts, updates, key changes, deletes), once just after a batch became"
                + " searchable; started again each time", KILLS, RATE);
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        SplittableRandom random = new SplittableRandom(System.nanoTime());
        try (SourceFixture fixture = FixtureLoader.load("postgresql"); SourceChaos chaos = SourceChaos.open(context, name())) {
            if (!(fixture instanceof RealtimeBackend backend)) {
                return RealtimeTable.notRun(result, fixture);
            }
            Instant t = Instant.now();
            RealtimeTable rt = RealtimeTable.start(backend, fixture, chaos, TABLE, ROWS, Map.of());
            PgTables.Psql psql = rt.psql();
            PgTables tables = rt.tables();
            Path config = rt.config();
            context.say(name(), "private cluster at %s:%d (wal_level %s), %,d rows, in %s", psql.host(), psql.port(),
                    psql.sql("SHOW wal_level").get(0), ROWS, FaultKit.seconds(FaultKit.since(t)));

            DaemonProcess first = chaos.start(config);
            Duration initial = RealtimeWait.following(first, t, FOLLOW_TIMEOUT);
            context.say(name(), "the first daemon follows the slot (full sync of %,d rows before it) %s after start",
                    ROWS, FaultKit.seconds(initial));
            List<String> kills = new ArrayList<>();
            Instant lastKill = null;
            try (ChangeLoad load = ChangeLoad.start(rt.connections(), TABLE, ROWS, RATE, ChangeLoad.Mix.ALL, random.nextLong(),
                    RATE * 900); IndexSeqProbe probe = new IndexSeqProbe(chaos.es, chaos.index)) {
                Duration caughtUp = RealtimeWait.caughtUp(probe, load, FOLLOW_TIMEOUT);
                context.say(name(), "the index caught up with the load (%s)", FaultKit.seconds(caughtUp));
                String lsnFollowing = confirmedFlush(psql);
                result.check("the slot " + SLOT + " was created and confirmed a position", lsnFollowing != null,
                        "confirmed_flush_lsn " + lsnFollowing);

                DaemonProcess victim = first;
                for (int kill = 1; kill <= KILLS; kill++) {
                    TimeUnit.MILLISECONDS.sleep(1_000 + random.nextInt(3_000));
                    String when = "under load";
                    if (kill == KILLS) {
                        long seen = probe.highest();
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                        while (probe.highest() <= seen && System.nanoTime() < deadline) {
                            TimeUnit.MILLISECONDS.sleep(5);
                        }
                        when = "just after a batch became searchable";
                    }
                    long indexed = probe.highest();
                    ProcessHandle handle = ProcessHandle.of(victim.pid()).orElseThrow();
                    lastKill = Instant.now();
                    handle.destroyForcibly();
                    handle.onExit().get(30, TimeUnit.SECONDS);
                    String what = String.format(Locale.ROOT, "kill %d %s: change %,d committed, %,d searchable", kill,
                            when, load.lastSeq(), indexed);
                    context.say(name(), "%s", what);
                    TimeUnit.MILLISECONDS.sleep(500 + random.nextInt(1_500));
                    victim = chaos.start(config);
                    Duration back = RealtimeWait.following(victim, lastKill, FOLLOW_TIMEOUT);
                    kills.add(what + "; following again " + FaultKit.seconds(back) + " after the kill");
                    context.say(name(), "daemon %d follows again %s after the kill", kill + 1, FaultKit.seconds(back));
                }
                result.check("the load ran throughout", load.running(), String.format(Locale.ROOT,
                        "%,d changes committed by the last restart", load.changes()));
                RealtimeWait.caughtUp(probe, load, FOLLOW_TIMEOUT);
                TimeUnit.SECONDS.sleep(3);
                load.stop();
                String walAtStop = psql.sql("SELECT pg_current_wal_lsn()").get(0);
                context.say(name(), "load stopped: %s", load.describe());
                result.note("load: " + load.describe());
                kills.forEach(k -> result.note(k));

                Verification v = converge(chaos, rt, probe, load);
                result.check("the index equals the table once the load stopped", v.equal(), v.summary()
                        + (v.equal() ? "" : "; first differences: " + v.firstDifferences()));
                result.documentsLost(v.documentsLost());
                Duration recovery = FaultKit.since(lastKill);
                result.recovery(recovery);

                slotChecks(result, psql, lsnFollowing, walAtStop);
                List<JsonNode> jobs = FaultKit.jobs(chaos.es);
                realtimeJobChecks(result, jobs, chaos.work);
                result.note("job records: " + FaultKit.describeJobs(jobs));
                FaultKit.LogCounts log = FaultKit.countLog(victim.logFile());
                result.note("last daemon's log: " + log.lines() + " lines, by level " + log.byLevel());
                return result.outcome(String.format(Locale.ROOT, "%d kills under %s; each new daemon followed on from"
                                        + " the saved cursor; the index %s %s after the last kill",
                                KILLS, load.describe(), v.equal() ? "equal to the table" : "NOT equal to the table",
                                FaultKit.seconds(recovery)))
                        .build();
            }
        }
    }

    /**
     * Once the index shows the load's last insert or update, verifies it against the table until equal (deletes
     * after that change may land a moment later) or {@link #CONVERGE_TIMEOUT}; the last verification.
     */
    static Verification converge(SourceChaos chaos, RealtimeTable rt, IndexSeqProbe probe, ChangeLoad load)
            throws Exception {
        long start = System.nanoTime();
        long deadline = start + CONVERGE_TIMEOUT.toNanos();
        while (probe.highest() < load.lastUpsertSeq() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return rt.verifyUntilEqual(chaos, CONVERGE_TIMEOUT.minusNanos(System.nanoTime() - start), Duration.ofSeconds(2));
    }

    /** The slot's {@code confirmed_flush_lsn}, or {@code null} when there is no such slot. */
    static String confirmedFlush(PgTables.Psql psql) throws Exception {
        List<String> rows = psql.sql("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'");
        return rows.isEmpty() || rows.get(0).isBlank() ? null : rows.get(0);
    }

    private static void slotChecks(ChaosResult.Builder result, PgTables.Psql psql, String lsnFollowing, String walAtStop)
            throws Exception {
        List<String> slot = psql.sql("SELECT slot_type || ' ' || plugin || ' active=' || active || ' database='"
                + " || database FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'");
        result.check("pg_replication_slots shows the slot " + SLOT + " after the run (logical, pgoutput)",
                slot.size() == 1 && slot.get(0).startsWith("logical pgoutput"), slot.isEmpty() ? "no such slot"
                        : slot.get(0));
        // The source confirms the saved position every replication_status_interval (10 s by default), and a daemon
        // killed sooner confirmed nothing: the last one must still confirm up to the WAL's end once nothing changes.
        String end = confirmedFlush(psql);
        long deadline = System.nanoTime() + CONFIRM_TIMEOUT.toNanos();
        while (end != null && compare(psql, end, walAtStop) < 0 && System.nanoTime() < deadline) {
            TimeUnit.SECONDS.sleep(1);
            end = confirmedFlush(psql);
        }
        boolean advanced = end != null && lsnFollowing != null && compare(psql, lsnFollowing, end) < 0;
        result.check("the slot's confirmed_flush_lsn advanced during the run", advanced,
                lsnFollowing + " when the first daemon followed, " + end + " at the end");
        result.check("the slot confirmed past the WAL position at the load's last change (within "
                        + CONFIRM_TIMEOUT.toSeconds() + " s)",
                end != null && compare(psql, end, walAtStop) >= 0, "confirmed_flush_lsn " + end + ", WAL at the last"
                        + " change " + walAtStop + ", retained " + psql.sql("SELECT pg_size_pretty(pg_wal_lsn_diff("
                        + "pg_current_wal_lsn(), restart_lsn)) FROM pg_replication_slots WHERE slot_name = '" + SLOT
                        + "'"));
    }

    /** -1, 0 or 1 as PostgreSQL orders the two LSNs. */
    private static int compare(PgTables.Psql psql, String a, String b) throws Exception {
        return Integer.signum((int) Math.signum(Double.parseDouble(psql.sql("SELECT pg_wal_lsn_diff('" + a + "', '" + b
                + "')").get(0))));
    }

    /**
     * Only real-time jobs, one in_progress at the end (the last daemon's); each restarted daemon followed the slot on
     * from the position saved before its kill, further than the one before, and ran no full sync.
     */
    private static void realtimeJobChecks(ChaosResult.Builder result, List<JsonNode> jobs, Path work) throws Exception {
        List<JsonNode> realtime = jobs.stream().filter(j -> "realtime".equals(j.path("job_type").asText())).toList();
        result.check("the jobs are real-time jobs", !realtime.isEmpty() && realtime.size() == jobs.size(),
                realtime.size() + " real-time jobs of " + jobs.size());
        long running = jobs.stream().filter(j -> "in_progress".equals(j.path("status").asText())).count();
        result.checkEquals("one job in_progress at the end: the last daemon's", 1L, running);
        List<String> from = new ArrayList<>();
        List<String> fullSyncs = new ArrayList<>();
        for (int daemon = 1; daemon <= KILLS + 1; daemon++) {
            List<String> lines = Files.readAllLines(work.resolve("daemon-" + daemon + ".log"), StandardCharsets.UTF_8);
            String position = lines.stream().map(FOLLOWING_FROM::matcher).filter(Matcher::find).map(m -> m.group(1))
                    .findFirst().orElse("none");
            from.add(position);
            if (daemon > 1 && lines.stream().anyMatch(l -> l.contains(FULL_SYNC))) {
                fullSyncs.add("daemon " + daemon);
            }
        }
        boolean forward = !from.contains("none");
        for (int i = 1; forward && i < from.size(); i++) {
            forward = lsn(from.get(i)) >= lsn(from.get(i - 1));
        }
        result.check("each daemon followed the slot from a saved position, each further than the one before", forward,
                "from " + String.join(", then ", from));
        result.check("no restarted daemon ran a full sync (they followed on from the saved cursor)", fullSyncs.isEmpty(),
                fullSyncs.isEmpty() ? "none did" : "full sync by " + fullSyncs);
    }

    /** An LSN {@code X/Y} as a number. */
    private static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }
}
