package io.connectors.extraction;

import static org.assertj.core.api.Assertions.assertThat;

import io.connectors.extraction.Extraction.Outcome;
import io.connectors.testkit.corpus.DocumentCorpus;
import io.connectors.testkit.corpus.DocumentCorpus.Hostile;
import io.connectors.testkit.corpus.DocumentCorpus.Sample;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real parser processes on real files: every supported format, and the inputs a parser must survive. */
class ExtractorPoolTest {
    static final ExtractionLimits DEFAULTS = new ExtractionLimits(2, 512L << 20, Duration.ofSeconds(60), 50L << 20,
            100_000, 1000);
    static ExtractorPool pool;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        pool = new ExtractorPool(DEFAULTS);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    static String words(String text) {
        return text.replaceAll("\\s+", " ");
    }

    @Test
    void everyFormatGivesItsTextAndType() throws Exception {
        List<Sample> samples = DocumentCorpus.writeFormats(dir.resolve("formats"), "f1");
        List<CompletableFuture<Extraction>> results = new ArrayList<>();
        for (Sample s : samples) {
            results.add(pool.extract(s.file(), s.file().getFileName().toString(), ""));
        }
        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            Extraction e = results.get(i).get();
            soft.assertThat(e.outcome()).as(s.format() + ": " + e.reason()).isEqualTo(Outcome.EXTRACTED);
            soft.assertThat(words(e.content())).as(s.format()).contains(s.phrase());
            soft.assertThat(e.metadata().get("content_type")).as(s.format()).isEqualTo(s.contentType());
            if (s.title() != null) {
                soft.assertThat(e.metadata().get("title")).as(s.format() + " title").isEqualTo(s.title());
            }
        }
        soft.assertAll();
    }

    @Test
    void eachHostileInputEndsAsOneFailedDocumentAndTheNextIsParsed() throws Exception {
        List<Hostile> hostile = DocumentCorpus.writeHostile(dir.resolve("hostile"), 200L << 20);
        for (Hostile h : hostile) {
            Extraction e = pool.extract(h.file(), h.file().getFileName().toString(), "").get();
            assertThat(e.outcome().label()).as(h.what() + ": " + e.reason()).isEqualTo(h.outcome());
            assertThat(e.reason()).as(h.what()).isNotBlank();
            assertThat(e.content()).as(h.what()).isEmpty();
        }
        Sample after = DocumentCorpus.writeFormats(dir.resolve("after-hostile"), "h1").get(0);
        assertThat(words(pool.extract(after.file(), "h1.pdf", "").get().content())).contains(after.phrase());
    }

    @Test
    void textBeyondTheLimitIsCutAndSaidToBe() throws Exception {
        Sample pdf = DocumentCorpus.writeFormats(dir.resolve("cut"), "c1").get(0);
        try (ExtractorPool small = new ExtractorPool(new ExtractionLimits(1, 256L << 20, Duration.ofSeconds(60), 50L << 20,
                12, 1000))) {
            Extraction e = small.extract(pdf.file(), "c1.pdf", "application/pdf").get();
            assertThat(e.outcome()).isEqualTo(Outcome.TRUNCATED);
            assertThat(e.content()).hasSizeLessThanOrEqualTo(12).startsWith("zephyr c1");
            assertThat(e.reason()).contains("12 characters");
            assertThat(e.metadata()).containsEntry("content_type", "application/pdf");
        }
    }

    @Test
    void aParserPastTheTimeLimitIsStoppedAndItsProcessReplaced() throws Exception {
        // About 6 s of parsing here, with a heap it cannot exhaust: the time limit, not memory, stops it.
        Hostile slow = DocumentCorpus.writeSlow(dir.resolve("slow/slow.docx"), TIMEOUT_PARAGRAPHS);
        Sample pdf = DocumentCorpus.writeFormats(dir.resolve("t"), "t1").get(0);
        try (ExtractorPool limited = new ExtractorPool(new ExtractionLimits(1, 2048L << 20, Duration.ofMillis(1500),
                50L << 20, 100_000, 1000))) {
            assertThat(words(limited.extract(pdf.file(), "t1.pdf", "").get().content())).contains(pdf.phrase());
            Extraction e = limited.extract(slow.file(), "slow.docx", "").get();
            assertThat(e.outcome()).as(e.reason()).isEqualTo(Outcome.TIMEOUT);
            assertThat(e.reason()).contains("1500 ms").contains("extraction.timeout");
            assertThat(words(limited.extract(pdf.file(), "t1.pdf", "").get().content())).contains(pdf.phrase());
            assertThat(limited.processesStarted()).isEqualTo(2);
        }
    }

    @Test
    void aParserThatExhaustsItsHeapCostsOneDocument() throws Exception {
        Hostile slow = DocumentCorpus.writeSlow(dir.resolve("oom/big.docx"), SLOW_PARAGRAPHS);
        Sample pdf = DocumentCorpus.writeFormats(dir.resolve("o"), "o1").get(0);
        try (ExtractorPool small = new ExtractorPool(new ExtractionLimits(1, 48L << 20, Duration.ofSeconds(120),
                50L << 20, 100_000, 1000))) {
            Extraction e = small.extract(slow.file(), "big.docx", "").get();
            assertThat(e.outcome()).as(e.reason()).isEqualTo(Outcome.OUT_OF_MEMORY);
            assertThat(e.reason()).contains("extraction.worker_heap 48mb");
            assertThat(words(small.extract(pdf.file(), "o1.pdf", "").get().content())).contains(pdf.phrase());
        }
    }

    @Test
    void aProcessIsReplacedAfterItsShareOfDocuments() throws Exception {
        List<Sample> samples = DocumentCorpus.writeFormats(dir.resolve("recycle"), "r1").subList(0, 5);
        try (ExtractorPool recycling = new ExtractorPool(new ExtractionLimits(1, 256L << 20, Duration.ofSeconds(60),
                50L << 20, 100_000, 2))) {
            for (Sample s : samples) {
                assertThat(words(recycling.extract(s.file(), s.file().getFileName().toString(), "").get().content()))
                        .contains(s.phrase());
            }
            assertThat(recycling.processesStarted()).isEqualTo(3);
        }
        assertThat(pool.processesAlive()).isLessThanOrEqualTo(DEFAULTS.workers());
    }

    /** Enough paragraphs that parsing takes far more than 48 MB of heap. */
    static final int SLOW_PARAGRAPHS = 400_000;
    /** Enough paragraphs that parsing takes about 6 s here (4 times the limit of the timeout tests). */
    static final int TIMEOUT_PARAGRAPHS = 600_000;
}
