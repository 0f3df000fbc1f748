package io.connectors.runtime.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One command line run in this JVM through {@link Main#execute}, as the integration tests of the commands run it: the
 * exit code and what it wrote to standard output and standard error.
 */
record CliRun(int exit, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
