package io.connectors.source.mongodb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bson.RawBsonDocument;

/**
 * The version of a MongoDB document: a 128-bit hash (MurmurHash3, x64 variant) of the BSON bytes the server sent, with
 * a prefix naming the mapping to fields.
 *
 * <p>MongoDB keeps no row version, but it sends a stored document as the same bytes every time (key order and value
 * types included), so equal bytes mean equal fields and a change to any value or type changes the bytes. The hash only
 * has to spot change, not resist forgery: a non-cryptographic one a few times faster than SHA-256 does. The prefix
 * {@value #MAPPING} is the revision of {@link BsonJson}'s mapping: bump it when the same BSON would give other fields,
 * so that every document is rewritten once. The mapping's settings ({@code uuid_representation}, the collections) are
 * part of the connector's configuration, which the runtime's fingerprint covers already.
 */
final class DocumentVersion {
    /** The revision of the BSON to fields mapping, the version's prefix. */
    static final String MAPPING = "bson1";

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private DocumentVersion() {
    }

    /** The version of the document whose bytes are {@code raw} (read in place, not copied). */
    static String of(RawBsonDocument raw) {
        ByteBuffer bytes = raw.getByteBuffer().asNIO();
        return MAPPING + ":" + murmur3(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
    }

    /**
     * MurmurHash3 x64 128 (seed 0) of {@code length} bytes from {@code offset}, as 32 hex digits: the bytes of the two
     * 64-bit halves, little-endian, as Guava's {@code Hashing.murmur3_128()} prints them.
     */
    @SuppressWarnings("fallthrough") // the tail switch falls through on purpose, as MurmurHash3 does
    static String murmur3(byte[] data, int offset, int length) {
        long h1 = 0;
        long h2 = 0;
        int blocks = length >>> 4;
        for (int i = 0; i < blocks; i++) {
            int at = offset + (i << 4);
            long k1 = (long) LONGS.get(data, at);
            long k2 = (long) LONGS.get(data, at + 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int tail = offset + (blocks << 4);
        long k1 = 0;
        long k2 = 0;
        switch (length & 15) {
            case 15: k2 ^= (data[tail + 14] & 0xffL) << 48; // fall through
            case 14: k2 ^= (data[tail + 13] & 0xffL) << 40; // fall through
            case 13: k2 ^= (data[tail + 12] & 0xffL) << 32; // fall through
            case 12: k2 ^= (data[tail + 11] & 0xffL) << 24; // fall through
            case 11: k2 ^= (data[tail + 10] & 0xffL) << 16; // fall through
            case 10: k2 ^= (data[tail + 9] & 0xffL) << 8; // fall through
            case 9: k2 ^= data[tail + 8] & 0xffL;
                h2 ^= mixK2(k2);
                // fall through
            case 8: k1 ^= (data[tail + 7] & 0xffL) << 56; // fall through
            case 7: k1 ^= (data[tail + 6] & 0xffL) << 48; // fall through
            case 6: k1 ^= (data[tail + 5] & 0xffL) << 40; // fall through
            case 5: k1 ^= (data[tail + 4] & 0xffL) << 32; // fall through
            case 4: k1 ^= (data[tail + 3] & 0xffL) << 24; // fall through
            case 3: k1 ^= (data[tail + 2] & 0xffL) << 16; // fall through
            case 2: k1 ^= (data[tail + 1] & 0xffL) << 8; // fall through
            case 1: k1 ^= data[tail] & 0xffL;
                h1 ^= mixK1(k1);
                break;
            default:
                break;
        }
        h1 ^= length;
        h2 ^= length;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        h1 += h2;
        h2 += h1;
        char[] out = new char[32];
        hex(h1, out, 0);
        hex(h2, out, 16);
        return new String(out);
    }

    private static long mixK1(long k1) {
        return Long.rotateLeft(k1 * C1, 31) * C2;
    }

    private static long mixK2(long k2) {
        return Long.rotateLeft(k2 * C2, 33) * C1;
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** The 8 bytes of {@code v}, least significant first, as hex. */
    private static void hex(long v, char[] out, int at) {
        for (int i = 0; i < 8; i++) {
            int b = (int) (v >>> (8 * i)) & 0xff;
            out[at + 2 * i] = HEX[b >>> 4];
            out[at + 2 * i + 1] = HEX[b & 15];
        }
    }
}
