package io.connectors.runtime.ops;

import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import ch.qos.logback.core.util.StatusPrinter2;
import java.util.List;

/**
 * Logback's own errors (an appender that cannot write, a broken configuration), printed on standard error.
 *
 * <p>Registered in {@code logback.xml}: a configuration with a status listener is not echoed by Logback, which
 * otherwise prints its whole internal status on <em>standard output</em> whenever the configuration warns, as it
 * does about the appender the log format leaves unused. Standard output belongs to the CLI's results.
 */
public final class ErrorStatusListener implements StatusListener {

    @Override
    public void addStatusEvent(Status status) {
        if (status.getEffectiveLevel() >= Status.ERROR) {
            StatusPrinter2 printer = new StatusPrinter2();
            printer.setPrintStream(System.err);
            printer.print(List.of(status));
        }
    }
}
