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

/**
 * {@code connectors status}: every connector's record in the state index (status, last syncs, running job, rules), then
 * what the configured connectors keep on their backends between jobs ({@link SourceResources}).
 */
@Command(name = "status", description = {"Show each connector's state: status, last sync per job type, the job running now, "
        + "sync-rule validation, last error.",
        "Then, for the connectors of the configuration file whose source keeps resources on its backend between jobs (a "
                + "PostgreSQL replication slot), those resources: kind, name, details, warnings (each source asked with a "
                + "15s timeout).",
        "Exit code 1 when a source could not list its resources (the rest is still shown)."})
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    ConnectorsCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the connector records as JSON (a list); the record of a connector whose "
            + "source keeps resources has them in 'source_resources'.")
    boolean json;

    @Option(names = "--no-source-resources", description = "Do not ask the sources for their resources (no connection to "
            + "the connectors' backends).")
    boolean noSourceResources;

    @Override
    public Integer call() {
        try (JobsCommand.Session s = JobsCommand.Session.open(parent)) {
            Main.await(s.store().refresh(StateStore.Kind.CONNECTORS));
            List<Versioned<ConnectorRecord>> all = Main.await(new ConnectorRecords(s.store()).all(1000));
            PrintWriter out = spec.commandLine().getOut();
            if (!json) {
                // The records first: a backend that is slow to answer delays only what follows.
                out.print(table(all));
                out.flush();
            }
            List<SourceResources.Listing> resources = noSourceResources ? List.of()
                    : Main.await(SourceResources.list(s.config().connectors(), SourceResources.LIST_TIMEOUT));
            out.print(json ? JobsCommand.json(json(all, resources)) + System.lineSeparator() : SourceResources.table(resources));
            out.flush();
            return resources.stream().anyMatch(SourceResources.Listing::failed) ? 1 : 0;
        }
    }

    /**
     * The records as a list, as before resources were listed: a connector's resources are a field of its record,
     * {@code source_resources}; a configured connector without a record (never registered in this cluster) is added
     * as {@code {"id": ..., "source_resources": ...}}.
     */
    static List<Map<String, Object>> json(List<Versioned<ConnectorRecord>> records, List<SourceResources.Listing> resources) {
        Map<String, SourceResources.Listing> byConnector = new java.util.LinkedHashMap<>();
        resources.forEach(l -> byConnector.put(l.connectorId(), l));
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (Versioned<ConnectorRecord> v : records) {
            Map<String, Object> record = new java.util.LinkedHashMap<>(v.doc().toJson());
            SourceResources.Listing listing = byConnector.remove(v.id());
            if (listing != null) {
                record.put("source_resources", listing.toJson());
            }
            out.add(record);
        }
        byConnector.forEach((id, listing) -> {
            Map<String, Object> unrecorded = new java.util.LinkedHashMap<>();
            unrecorded.put("id", id);
            unrecorded.put("type", listing.type());
            unrecorded.put("source_resources", listing.toJson());
            out.add(unrecorded);
        });
        return out;
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
