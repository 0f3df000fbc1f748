package io.connectors.functional;

import java.util.List;

/**
 * Whether an index holds exactly a source's documents.
 *
 * @param equal            the same ids, each with the same digest; nothing missing, nothing extra
 * @param expected         documents in the source
 * @param actual           documents in the index
 * @param firstDifferences up to 20 of {@code missing <id>}, {@code extra <id>}, {@code digest differs <id>}, in id
 *                         order ({@code _id}s as the runtime stores them)
 * @param missing          documents of the source not in the index
 * @param extra            documents in the index not in the source
 * @param digestDiffers    documents in both whose content differs
 */
public record Verification(boolean equal, long expected, long actual, List<String> firstDifferences,
                           long missing, long extra, long digestDiffers) {

    public Verification {
        firstDifferences = List.copyOf(firstDifferences);
    }

    /** With the counts of each kind of difference taken from {@code firstDifferences}. */
    public Verification(boolean equal, long expected, long actual, List<String> firstDifferences) {
        this(equal, expected, actual, firstDifferences, countOf(firstDifferences, "missing "),
                countOf(firstDifferences, "extra "), countOf(firstDifferences, "digest differs "));
    }

    private static long countOf(List<String> differences, String prefix) {
        return differences.stream().filter(d -> d.startsWith(prefix)).count();
    }

    /** Documents lost: in the source, and missing from the index or stale in it. */
    public long documentsLost() {
        return missing + digestDiffers;
    }

    /** One line: "equal: 12000 documents" or the counts of each difference. */
    public String summary() {
        if (equal) {
            return "equal: " + expected + " documents";
        }
        return "NOT equal: " + expected + " in the source, " + actual + " in the index; " + missing + " missing, "
                + extra + " extra, " + digestDiffers + " with a different digest";
    }
}
