package io.connectors.runtime.cli;

import io.connectors.runtime.state.ConnectorRecord;
import io.connectors.runtime.state.ConnectorRecords;
import io.connectors.runtime.state.JobType;
import io.connectors.runtime.state.StateStore.Versioned;
import io.connectors.runtime.state.StateStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code connectors status}: every connector's record in the state index: status, last syncs, running job, rules. */
@Command(name = "status", description = "Show each connector's state: status, last sync per job type, the job running now, "
        + "sync-rule validation, last error.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    ConnectorsCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the connector records as JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (JobsCommand.Session s = JobsCommand.Session.open(parent)) {
            Main.await(s.store().refresh(StateStore.Kind.CONNECTORS));
            List<Versioned<ConnectorRecord>> all = Main.await(new ConnectorRecords(s.store()).all(1000));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JobsCommand.json(all.stream().map(v -> v.doc().toJson()).toList()));
            } else {
                out.print(table(all));
            }
            out.flush();
            return 0;
        }
    }

    static String table(List<Versioned<ConnectorRecord>> connectors) {
        // LAST FULL SYNC holds the longest job status (completed_with_errors) and a time to the second.
        String format = "%-20s %-12s %-20s %-42s %-28s %-8s %s%n";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, format, "CONNECTOR", "TYPE", "STATUS", "LAST FULL SYNC",
                "RUNNING JOB", "RULES", "ERROR"));
        for (Versioned<ConnectorRecord> v : connectors) {
            ConnectorRecord d = v.doc();
            ConnectorRecord.JobOutcome lastSync = d.lastSync().get(JobType.FULL.value());
            String last = lastSync != null
                    ? lastSync.status().value() + " " + String.valueOf(lastSync.completedAt()).replaceFirst("\\.\\d+Z$", "Z")
                    : "-";
            String running = d.activeJob() != null ? d.activeJob().jobId() : "-";
            Object rules = ConnectorRecords.draftValidation(d).getOrDefault("state", "-");
            String error = d.error();
            // A paused connector says so first: whatever its last status, nothing of it runs until it is resumed.
            String status = d.control() != null && d.control().paused() ? "paused" : d.status();
            if (d.control() != null && d.control().paused()) {
                String why = "paused by " + d.control().pausedBy() + " at " + d.control().pausedAt()
                        + (d.control().reason() == null ? "" : ": " + d.control().reason());
                error = error == null ? why : why + "; " + error;
            }
            sb.append(String.format(Locale.ROOT, format, v.id(), d.type(), status, last, running, rules,
                    error == null ? "" : error));
        }
        return sb.toString();
    }
}
