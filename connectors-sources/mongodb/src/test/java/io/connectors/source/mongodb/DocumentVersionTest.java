package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.junit.jupiter.api.Test;

/** The version of a document's bytes: MurmurHash3 x64 128 as Guava computes it, over exactly the document's bytes. */
class DocumentVersionTest {

    @Test
    void theHashIsMurmur3As128BitsAsGuavaPrintsIt() {
        // Vectors computed with Guava 33.4.8's Hashing.murmur3_128().
        assertThat(hash("")).isEqualTo("00000000000000000000000000000000");
        assertThat(hash("hello")).isEqualTo("029bbd41b3a7d8cb191dae486a901e5b");
        assertThat(hash("The quick brown fox jumps over the lazy dog")).isEqualTo("6c1b07bc7bbc4be347939ac4a93c437a");

        // Every tail length and several blocks, from an offset: the SHA-256 of Guava's hashes, one a line.
        byte[] data = new byte[5 + 48];
        for (int j = 0; j < data.length; j++) {
            data[j] = (byte) (j * 31 + 7);
        }
        StringBuilder all = new StringBuilder();
        for (int n = 0; n <= 48; n++) {
            all.append(DocumentVersion.murmur3(data, 5, n)).append('\n');
        }
        assertThat(MongoFixtureDigest.sha256(all.toString().getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("5982e359107d7ad55031db466234ce2a3478f8310a1e6976e5f998d0e9c34d98");
    }

    @Test
    void theVersionCoversExactlyTheDocumentsBytes() {
        BsonDocument doc = new BsonDocument("_id", new BsonInt32(1)).append("inner", new BsonDocument("a", new BsonString("x")));
        RawBsonDocument raw = new RawBsonDocument(doc, new BsonDocumentCodec());
        RawBsonDocument inner = (RawBsonDocument) raw.get("inner");
        RawBsonDocument innerAlone = new RawBsonDocument(doc.getDocument("inner"), new BsonDocumentCodec());

        assertThat(DocumentVersion.of(raw)).startsWith(DocumentVersion.MAPPING + ":").hasSize(DocumentVersion.MAPPING.length() + 33);
        assertThat(DocumentVersion.of(inner)).as("a document inside another's bytes").isEqualTo(DocumentVersion.of(innerAlone))
                .isNotEqualTo(DocumentVersion.of(raw));
    }

    private static String hash(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return DocumentVersion.murmur3(bytes, 0, bytes.length);
    }
}
