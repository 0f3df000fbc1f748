package io.connectors.runtime.sink;

/** Elasticsearch's error reasons made fit for logs and job records. */
final class ErrorReasons {
    private static final int MAX_REASON_CHARS = 300;

    private ErrorReasons() {
    }

    /** An error reason fit for a log line: bounded, and without the field value preview Elasticsearch adds. */
    static String sanitize(String reason) {
        if (reason == null) {
            return "";
        }
        String r = reason;
        int preview = r.indexOf("Preview of field's value");
        if (preview >= 0) {
            r = r.substring(0, preview).trim();
        }
        return r.length() <= MAX_REASON_CHARS ? r : r.substring(0, MAX_REASON_CHARS) + "...";
    }
}
