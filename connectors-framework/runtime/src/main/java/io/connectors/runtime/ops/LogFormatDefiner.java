package io.connectors.runtime.ops;

import ch.qos.logback.core.PropertyDefinerBase;

/**
 * Gives {@code logback.xml} the name of the appender for {@code CONNECTORS_LOG_FORMAT}: {@code text} or
 * {@code ecs}. A value that is neither is reported on standard error and logs as text: logging is being set up, so
 * there is no logger to report it with, and refusing to log at all would be worse.
 */
public final class LogFormatDefiner extends PropertyDefinerBase {
    private String value;

    /** The raw value, {@code ${CONNECTORS_LOG_FORMAT:-text}} in {@code logback.xml}. */
    public void setValue(String value) {
        this.value = value;
    }

    @Override
    public String getPropertyValue() {
        Logging.Format format = Logging.Format.parse(value);
        if (format == null) {
            String warning = Logging.invalidFormatMessage(value);
            addWarn(warning);
            System.err.println("connectors: " + warning);
            return Logging.Format.TEXT.appender();
        }
        return format.appender();
    }
}
