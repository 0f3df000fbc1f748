package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.BsonDocumentReader;
import org.bson.BsonDocumentWriter;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonType;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.junit.jupiter.api.Test;

/** Raw documents in arrays of exactly their size, whatever surrounds them in the reply. */
class RawDocumentCodecTest {
    private static final DecoderContext DECODING = DecoderContext.builder().build();
    private final RawDocumentCodec codec = new RawDocumentCodec();

    @Test
    void aDocumentInsideAReplyGetsAnArrayOfItsOwnSize() {
        BsonDocument small = new BsonDocument("_id", new BsonInt32(1));
        BsonDocument large = new BsonDocument("_id", new BsonInt32(2)).append("text", new BsonString("x".repeat(1000)));
        BsonDocument reply = new BsonDocument("cursor", new BsonDocument("firstBatch", new BsonArray(List.of(small, large))));
        RawBsonDocument bytes = new RawBsonDocument(reply, new BsonDocumentCodec());

        try (BsonBinaryReader reader = new BsonBinaryReader(bytes.getByteBuffer().asNIO())) {
            reader.readStartDocument();
            reader.readName("cursor");
            reader.readStartDocument();
            reader.readName("firstBatch");
            reader.readStartArray();
            for (BsonDocument expected : List.of(small, large)) {
                assertThat(reader.readBsonType()).isEqualTo(BsonType.DOCUMENT);
                RawBsonDocument read = codec.decode(reader, DECODING);
                ByteBuffer buffer = read.getByteBuffer().asNIO();
                assertThat(buffer.array()).hasSize(buffer.remaining());
                assertThat(RawDocumentCodec.decode(read)).isEqualTo(expected).isNotInstanceOf(RawBsonDocument.class);
            }
            assertThat(reader.readBsonType()).isEqualTo(BsonType.END_OF_DOCUMENT);
        }
    }

    @Test
    void otherReadersAndWritersWorkAsWithTheDriversCodec() {
        BsonDocument doc = new BsonDocument("_id", new BsonInt32(1)).append("a", new BsonString("b"));
        RawBsonDocument read = codec.decode(new BsonDocumentReader(doc), DECODING);
        assertThat(RawDocumentCodec.decode(read)).isEqualTo(doc);

        BsonDocument written = new BsonDocument();
        codec.encode(new BsonDocumentWriter(written), read, EncoderContext.builder().build());
        assertThat(written).isEqualTo(doc);
        assertThat(codec.getEncoderClass()).isEqualTo(RawBsonDocument.class);
    }
}
