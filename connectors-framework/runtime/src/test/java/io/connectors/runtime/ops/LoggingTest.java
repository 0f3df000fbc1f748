package io.connectors.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.ErrorStatus;
import ch.qos.logback.core.status.StatusUtil;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime's logback.xml, applied to a private logger context (the tests' own logging is left alone), with
 * standard error captured.
 */
class LoggingTest {
    private static final URL CONFIG = Logging.class.getResource("/logback.xml");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoggerContext context = new LoggerContext();

    LoggingTest() {
        // What SLF4J's service provider does for the process-wide context.
        context.setMDCAdapter(new LogbackMDCAdapter());
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    /**
     * Configures the context from {@code env}, runs {@code logging}, and returns what went to standard error;
     * checks that nothing went to standard output, the CLI's.
     */
    private String stderr(Map<String, String> env, Runnable logging) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Logging.configure(context, env, CONFIG);
            logging.run();
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        return err.toString(StandardCharsets.UTF_8);
    }

    private Logger logger() {
        return context.getLogger("io.connectors.runtime.daemon.Daemon");
    }

    @Test
    void textIsTheDefault() {
        String out = stderr(Map.of(), () -> logger().info("Connector {} synced", "docs"));

        assertThat(out).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[[^]]+] i\\.c\\.r\\.daemon\\.Daemon - "
                + "Connector docs synced\\R");
    }

    @Test
    void ecsWritesOneJsonObjectPerLineToStandardError() throws Exception {
        String out = stderr(Map.of("CONNECTORS_LOG_FORMAT", "ecs"), () -> {
            logger().info("Connector {} synced", "docs");
            logger().warn("Sync failed", new IllegalStateException("index is read-only"));
        });

        String[] lines = out.split("\\R");
        assertThat(lines).hasSize(2);
        JsonNode info = JSON.readTree(lines[0]);
        assertThat(info.path("@timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z");
        assertThat(info.path("log.level").asText()).isEqualTo("INFO");
        assertThat(info.path("message").asText()).isEqualTo("Connector docs synced");
        assertThat(info.path("log.logger").asText()).isEqualTo("io.connectors.runtime.daemon.Daemon");
        assertThat(info.path("service.name").asText()).isEqualTo("connectors");
        assertThat(info.path("process.thread.name").asText()).isNotEmpty();
        assertThat(info.path("ecs.version").asText()).isNotEmpty();
        JsonNode warn = JSON.readTree(lines[1]);
        assertThat(warn.path("log.level").asText()).isEqualTo("WARN");
        assertThat(warn.path("error.type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(warn.path("error.message").asText()).isEqualTo("index is read-only");
        assertThat(warn.path("error.stack_trace").asText()).contains("LoggingTest");
    }

    @Test
    void theFormatIsCaseInsensitive() throws Exception {
        String out = stderr(Map.of("CONNECTORS_LOG_FORMAT", "ECS"), () -> logger().info("hello"));

        assertThat(JSON.readTree(out).path("message").asText()).isEqualTo("hello");
    }

    @Test
    void anUnknownFormatLogsTextAfterAWarningNamingTheVariable() {
        String out = stderr(Map.of("CONNECTORS_LOG_FORMAT", "json"), () -> logger().info("hello"));

        assertThat(out.lines()).hasSize(2);
        assertThat(out.lines().findFirst()).hasValue(
                "connectors: CONNECTORS_LOG_FORMAT=json is not a log format; use one of text, ecs. Logging as text.");
        assertThat(out.lines().skip(1).findFirst()).hasValueSatisfying(line -> assertThat(line).endsWith(" - hello"));
    }

    @Test
    void theLevelComesFromTheEnvironmentToo() {
        String out = stderr(Map.of("CONNECTORS_LOG_FORMAT", "ecs", "CONNECTORS_LOG_LEVEL", "WARN"), () -> {
            logger().info("not shown");
            logger().warn("shown");
        });

        assertThat(out).doesNotContain("not shown").contains("\"shown\"");
    }

    @Test
    void logbackStatusStaysOffStandardOutputAndItsErrorsGoToStandardError() {
        String out = stderr(Map.of("CONNECTORS_LOG_FORMAT", "ecs"), () -> context.getStatusManager()
                .add(new ErrorStatus("appender broke", this)));

        // With a status listener registered, Logback does not print its status (on standard output) at start.
        assertThat(StatusUtil.contextHasStatusListener(context)).isTrue();
        assertThat(out).contains("ERROR", "appender broke");
    }

    @Test
    void formats() {
        assertThat(Logging.Format.parse(null)).isEqualTo(Logging.Format.TEXT);
        assertThat(Logging.Format.parse("")).isEqualTo(Logging.Format.TEXT);
        assertThat(Logging.Format.parse("Text")).isEqualTo(Logging.Format.TEXT);
        assertThat(Logging.Format.parse("ecs")).isEqualTo(Logging.Format.ECS);
        assertThat(Logging.Format.parse("json")).isNull();
    }
}
