package io.connectors.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.runtime.util.LogContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** ECS lines written for a job carry its fields, whatever thread of its pipeline writes them; counts are fields. */
class LogContextTest {
    private static final URL CONFIG = Logging.class.getResource("/logback.xml");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoggerContext context = new LoggerContext();

    LogContextTest() {
        // The process-wide MDC, the one LogContext fills, as the process-wide context has it.
        context.setMDCAdapter((LogbackMDCAdapter) MDC.getMDCAdapter());
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    private List<JsonNode> ecsLines(Runnable logging) throws Exception {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Logging.configure(context, Map.of("CONNECTORS_LOG_FORMAT", "ecs"), CONFIG);
            logging.run();
        } finally {
            System.setErr(originalErr);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : err.toString(StandardCharsets.UTF_8).split("\\R")) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Test
    void everyLineOfAJobCarriesConnectorJobAndTypeOnEveryThreadAndNothingLeaksAfterIt() throws Exception {
        Logger log = context.getLogger("io.connectors.runtime.daemon.JobExecution");
        List<JsonNode> lines = ecsLines(() -> {
            Mono<String> job = Mono.fromCallable(() -> {
                        log.info("blocking read");
                        return "x";
                    })
                    .subscribeOn(Schedulers.boundedElastic())
                    .delayElement(Duration.ofMillis(5))
                    .doOnNext(x -> log.info("after a delay"))
                    .publishOn(Schedulers.single())
                    .flatMap(x -> Mono.just(x).publishOn(Schedulers.parallel()))
                    .doOnNext(x -> log.info("after hops"));
            LogContext.forJob(job, "docs", "job-1", "full").block();
            log.info("after the job");
            Mono.just(1).publishOn(Schedulers.boundedElastic()).doOnNext(x -> log.info("another pipeline")).block();
        });

        assertThat(lines).extracting(l -> l.path("message").asText())
                .containsExactly("blocking read", "after a delay", "after hops", "after the job", "another pipeline");
        for (JsonNode line : lines.subList(0, 3)) {
            assertThat(line.path("connector.id").asText()).as(line.toString()).isEqualTo("docs");
            assertThat(line.path("job.id").asText()).as(line.toString()).isEqualTo("job-1");
            assertThat(line.path("job.type").asText()).as(line.toString()).isEqualTo("full");
        }
        // The threads' previous values are put back: nothing leaks to later work.
        for (JsonNode line : lines.subList(3, 5)) {
            assertThat(line.has("connector.id")).as(line.toString()).isFalse();
            assertThat(line.has("job.id")).as(line.toString()).isFalse();
        }
    }

    @Test
    void countsAreFieldsOfTheLineThatReportsThem() throws Exception {
        Logger log = context.getLogger("io.connectors.runtime.sync.SyncRunner");
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("seen", 1520L);
        counts.put("indexed", 1500L);
        counts.put("failed", 0L);
        List<JsonNode> lines = ecsLines(() -> {
            LogContext.withCounts(counts, () -> log.info("Connector docs: full sync completed"));
            log.info("next");
        });

        assertThat(lines.get(0).path("sync.seen").asLong()).isEqualTo(1520);
        assertThat(lines.get(0).path("sync.indexed").asLong()).isEqualTo(1500);
        assertThat(lines.get(0).path("sync.failed").asText()).isEqualTo("0");
        assertThat(lines.get(1).has("sync.seen")).isFalse();
    }
}
