package io.connectors.extraction;

import java.util.Map;
import java.util.Objects;

/**
 * What extraction made of one document's body: its text and metadata, or why there is none.
 *
 * @param outcome    what happened
 * @param content    the text ({@code ""} when none); at most the configured number of characters
 * @param metadata   title, author, language, page_count, content_type, created, modified (those the format knows), as
 *                   strings or lists of strings; empty when extraction failed
 * @param reason     why there is no text, or why it is cut short; {@code null} when {@link Outcome#EXTRACTED}
 */
public record Extraction(Outcome outcome, String content, Map<String, Object> metadata, String reason) {

    /** What happened to a body. */
    public enum Outcome {
        /** All its text was extracted. */
        EXTRACTED(false),
        /** Its text was longer than the limit: the first {@code max_characters} are kept. */
        TRUNCATED(false),
        /** Larger than {@code max_input_size}: not read. */
        TOO_LARGE(true),
        /** Encrypted or password-protected. */
        ENCRYPTED(true),
        /** A compressed part would expand beyond reason (a zip bomb). */
        ZIP_BOMB(true),
        /** No result within the time limit: the parser process was stopped. */
        TIMEOUT(true),
        /** The parser process ran out of memory. */
        OUT_OF_MEMORY(true),
        /** The parser process ended without an answer (a crash). */
        CRASHED(true),
        /** The parser refused the content (corrupt, truncated, unsupported variant). */
        PARSE_ERROR(true),
        /** The body could not be read from the source. */
        UNREADABLE(true);

        private final boolean failed;

        Outcome(boolean failed) {
            this.failed = failed;
        }

        /** Whether the document got no text because of this outcome. */
        public boolean failed() {
            return failed;
        }

        /** The outcome's name as job records and metrics show it: {@code zip_bomb}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Extraction {
        Objects.requireNonNull(outcome, "outcome");
        content = content == null ? "" : content;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A failure: no text, no metadata. */
    public static Extraction failed(Outcome outcome, String reason) {
        if (!outcome.failed()) {
            throw new IllegalArgumentException(outcome + " is not a failure");
        }
        return new Extraction(outcome, "", Map.of(), reason);
    }
}
