package io.connectors.runtime.cli;

import io.connectors.runtime.state.ConnectorRecords;
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
            List<Versioned> all = Main.await(new ConnectorRecords(s.store()).all(1000));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JobsCommand.json(all.stream().map(Versioned::doc).toList()));
            } else {
                out.print(table(all));
            }
            out.flush();
            return 0;
        }
    }

    static String table(List<Versioned> connectors) {
        // LAST FULL SYNC holds the longest job status (completed_with_errors) and a time to the second.
        String format = "%-20s %-12s %-20s %-42s %-28s %-8s %s%n";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, format, "CONNECTOR", "TYPE", "STATUS", "LAST FULL SYNC",
                "RUNNING JOB", "RULES", "ERROR"));
        for (Versioned v : connectors) {
            Map<String, Object> d = v.doc();
            Object lastSync = d.get("last_sync") instanceof Map<?, ?> m ? m.get("full") : null;
            String last = lastSync instanceof Map<?, ?> l
                    ? l.get("status") + " " + String.valueOf(l.get("completed_at")).replaceFirst("\\.\\d+Z$", "Z")
                    : "-";
            String running = d.get("active_job") instanceof Map<?, ?> a ? String.valueOf(a.get("job_id")) : "-";
            Object rules = ConnectorRecords.draftValidation(d).getOrDefault("state", "-");
            Object error = d.get("error");
            sb.append(String.format(Locale.ROOT, format, v.id(), d.get("type"), d.get("status"), last, running, rules,
                    error == null ? "" : error));
        }
        return sb.toString();
    }
}
