package io.connectors.runtime.ops;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The log switch: human-readable lines by default, ECS JSON lines with {@code CONNECTORS_LOG_FORMAT=ecs}; both on
 * standard error.
 *
 * <p>{@code logback.xml} applies the switch by itself when logging starts (through {@link LogFormatDefiner}), from
 * the process environment, so the entry point has nothing to call. {@link #configure(Map)} applies it again from
 * a given environment, for tests and embedders.
 */
public final class Logging {
    /** The environment variable that picks the format. */
    public static final String FORMAT_VARIABLE = "CONNECTORS_LOG_FORMAT";
    /** The environment variable that sets the root log level (INFO when unset). */
    public static final String LEVEL_VARIABLE = "CONNECTORS_LOG_LEVEL";

    /** The formats, named as {@code CONNECTORS_LOG_FORMAT} spells them and as the appenders of logback.xml. */
    public enum Format {
        /** {@code HH:mm:ss.SSS LEVEL [thread] logger - message}, for people. */
        TEXT,
        /** One Elastic Common Schema JSON object per line, {@code service.name} {@code connectors}. */
        ECS;

        /** The value of {@code CONNECTORS_LOG_FORMAT} and the appender's name in {@code logback.xml}. */
        public String appender() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param value a value of {@code CONNECTORS_LOG_FORMAT}, in any case; null or empty means text
         * @return the format, or null when the value names none
         */
        public static Format parse(String value) {
            if (value == null || value.isEmpty()) {
                return TEXT;
            }
            String v = value.toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (f.appender().equals(v)) {
                    return f;
                }
            }
            return null;
        }
    }

    private Logging() {
    }

    /** The format the process logs in: {@link Format#ECS} when the root logger writes through the {@code ecs} appender. */
    public static Format activeFormat() {
        return LoggerFactory.getILoggerFactory() instanceof LoggerContext context
                && context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(Format.ECS.appender()) != null
                ? Format.ECS : Format.TEXT;
    }

    static String invalidFormatMessage(String value) {
        return FORMAT_VARIABLE + "=" + value + " is not a log format; use one of "
                + String.join(", ", Arrays.stream(Format.values()).map(Format::appender).toList())
                + ". Logging as text.";
    }

    /**
     * Reconfigures logging from {@code env} ({@code CONNECTORS_LOG_FORMAT}, {@code CONNECTORS_LOG_LEVEL}), with the
     * runtime's {@code logback.xml}. Does nothing when logging is not Logback, or when the user chose a
     * configuration file with {@code -Dlogback.configurationFile}. An unknown format logs as text after a warning
     * on standard error.
     *
     * @param env the environment, e.g. {@code System.getenv()}; variables missing from it take their defaults
     */
    public static void configure(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context) || System.getProperty("logback.configurationFile") != null) {
            return;
        }
        URL config = Logging.class.getResource("/logback.xml");
        if (config == null) {
            throw new IllegalStateException("logback.xml is missing from the class path");
        }
        configure(context, env, config);
    }

    static void configure(LoggerContext context, Map<String, String> env, URL config) {
        context.reset();
        // Context properties win over the process environment in logback's ${...} substitution.
        context.putProperty(FORMAT_VARIABLE, env.getOrDefault(FORMAT_VARIABLE, Format.TEXT.appender()));
        context.putProperty(LEVEL_VARIABLE, env.getOrDefault(LEVEL_VARIABLE, "INFO"));
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            // Errors reported by Logback go to standard error through the ErrorStatusListener of logback.xml.
            configurator.doConfigure(config);
        } catch (JoranException e) {
            throw new IllegalStateException("Cannot configure logging from " + config + ": " + e.getMessage(), e);
        }
    }
}
