package io.connectors.runtime.sync;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Turns source ids into Elasticsearch {@code _id}s, which may be at most 512 bytes long. */
public final class DocIds {
    /** The longest {@code _id} Elasticsearch accepts, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 512;
    private static final String HASH_PREFIX = "sha256-";

    private DocIds() {
    }

    /**
     * The {@code _id} for a source id: the id itself when it fits, else {@code sha256-} and the hex SHA-256 of its
     * UTF-8 bytes, so the same long id always maps to the same {@code _id}.
     */
    public static String normalize(String sourceId) {
        byte[] bytes = sourceId.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_ID_BYTES) {
            return sourceId;
        }
        return HASH_PREFIX + HexFormat.of().formatHex(sha256(bytes));
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
