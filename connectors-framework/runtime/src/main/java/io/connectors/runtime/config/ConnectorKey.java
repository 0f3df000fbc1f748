package io.connectors.runtime.config;

import java.util.Arrays;
import java.util.List;

/**
 * The keys of one connector in the {@code connectors} list, declared once: {@link ConfigLoader} refuses any other key,
 * and {@link ConfigReference} documents these. Descriptions are Markdown, with links relative to {@code docs/}.
 */
enum ConnectorKey {
    ID("id", true, "",
            "Unique name: letters, digits, `.`, `_` and `-`, at most 100. Used by `connectors sync <id>` and in job"
                    + " records."),
    TYPE("type", true, "",
            "A source type: one of the sections under [Sources](#sources) (`connectors sources` lists them)."),
    INDEX("index", false, "the id in lower case",
            "The target index; must be a valid Elasticsearch index name."),
    PIPELINE("pipeline", false, "",
            "Ingest pipeline passed on every `_bulk` request."),
    SCHEDULE("schedule", false, "",
            "Cron expressions (Quartz: `sec min hour day month weekday`, evaluated in UTC) per job type: `full`,"
                    + " `incremental` (sources that implement `IncrementalSource`), `access_control` (sources that"
                    + " implement `AccessControlSource`; documents go to `<index>-access-control`). There is no"
                    + " `realtime` schedule (an error): use the `realtime` key. A scheduled job of a source that watches"
                    + " for changes (`ChangeWatchingSource`) is skipped when the daemon's watch saw no change since the"
                    + " connector's last completed sync ([control-plane.md](control-plane.md))."),
    REALTIME("realtime", false, "`false`",
            "`true`: the daemons keep one real-time job of the connector running, which follows the source's"
                    + " changes and keeps the index within seconds of it"
                    + " ([control-plane.md](control-plane.md#real-time-connectors)). The source must implement"
                    + " `RealtimeSource`; `connectors run` and `connectors config check` refuse the file otherwise,"
                    + " naming the connector and its type. While the real-time job runs it holds the connector's lock,"
                    + " so scheduled jobs of the connector wait in the queue: a real-time connector usually has no"
                    + " schedule."),
    REFRESH_INTERVAL("refresh_interval", false, "`500ms` for a `realtime: true` connector's index when the runtime"
            + " creates it; otherwise Elasticsearch's own (`1s`)",
            "The index's `index.refresh_interval`: how soon written documents become searchable. Set here, it is"
                    + " applied when the index is created and at the start of every job (the configuration owns it);"
                    + " unset, an existing index keeps whatever it has. Shorter means fresher search results and more"
                    + " small segments for Elasticsearch to merge."),
    SYNC_RULES("sync_rules", false, "",
            "`basic`: an ordered list of `{field, policy: include|exclude, rule, value}` with `rule` one of `equals`,"
                    + " `starts_with`, `ends_with`, `contains`, `regex`, `less_than`, `greater_than`; the first matching"
                    + " rule decides, a document no rule matches is included; `field` may be a dotted path; a list field"
                    + " matches when any element does; numbers and ISO dates compare as such. `advanced`: a"
                    + " source-specific mapping pushed down to the source. Validated before use; see"
                    + " [control-plane.md](control-plane.md)."),
    EXTRACT_CONTENT("extract_content", false, "`true` for sources of files (`directory`), else `false`",
            "`true`: the text and metadata of documents' binary content (PDF, Office, OpenDocument, e-mail, HTML, EPUB,"
                    + " text in any common encoding) are extracted into `content` and `content_metadata`, within the"
                    + " limits of the `extraction` settings; only new and changed documents are extracted"
                    + " ([extraction.md](extraction.md)). `false`: binary content is not read."),
    CONFIGURATION("configuration", false, "",
            "The source's fields, validated against its declaration: see its section under [Sources](#sources)."
                    + " Required when the source has required fields.");

    private final String key;
    private final boolean required;
    private final String defaultValue;
    private final String description;

    ConnectorKey(String key, boolean required, String defaultValue, String description) {
        this.key = key;
        this.required = required;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The key as written in {@code config.yml}. */
    String key() {
        return key;
    }

    boolean required() {
        return required;
    }

    /** The default, in Markdown: a value in configuration syntax as code, or words when it is derived; empty for none. */
    String defaultValue() {
        return defaultValue;
    }

    /** The meaning, in Markdown. */
    String description() {
        return description;
    }

    /** Every key, in declaration order. */
    static List<String> keys() {
        return Arrays.stream(values()).map(ConnectorKey::key).toList();
    }

    static boolean isKey(String name) {
        return Arrays.stream(values()).anyMatch(k -> k.key.equals(name));
    }
}
