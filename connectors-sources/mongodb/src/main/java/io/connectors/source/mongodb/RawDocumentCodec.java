package io.connectors.source.mongodb;

import org.bson.BsonBinaryReader;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.BsonReader;
import org.bson.BsonWriter;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.Codec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.codecs.RawBsonDocumentCodec;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.io.BasicOutputBuffer;
import org.bson.io.BsonInput;
import org.bson.io.BsonInputMark;

/**
 * Reads documents as their BSON bytes, in an array of exactly their size.
 *
 * <p>The driver's {@link RawBsonDocumentCodec} copies a document into a buffer that grows by doubling and keeps that
 * buffer, so a document read that way can hold up to twice its size; the listing holds every document until the
 * runtime found it unchanged or had it built, so here the buffer is sized from the document's length prefix first.
 */
final class RawDocumentCodec implements Codec<RawBsonDocument> {
    private static final RawBsonDocumentCodec DRIVER = new RawBsonDocumentCodec();
    private static final BsonDocumentCodec DECODED = new BsonDocumentCodec();

    /** {@code base} with raw documents read by this codec. */
    static CodecRegistry registry(CodecRegistry base) {
        return CodecRegistries.fromRegistries(CodecRegistries.fromCodecs(new RawDocumentCodec()), base);
    }

    /** The document decoded into a {@link BsonDocument} of values, as the driver decodes one itself. */
    static BsonDocument decode(RawBsonDocument raw) {
        return raw.decode(DECODED);
    }

    @Override
    public RawBsonDocument decode(BsonReader reader, DecoderContext decoderContext) {
        if (!(reader instanceof BsonBinaryReader binary)) {
            return DRIVER.decode(reader, decoderContext);
        }
        // A document starts with its length, which the reader has not consumed yet.
        BsonInput input = binary.getBsonInput();
        BsonInputMark mark = input.getMark(4);
        int size = input.readInt32();
        mark.reset();
        BasicOutputBuffer buffer = new BasicOutputBuffer(size);
        try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
            writer.pipe(reader);
            return new RawBsonDocument(buffer.getInternalBuffer(), 0, buffer.getPosition());
        }
    }

    @Override
    public void encode(BsonWriter writer, RawBsonDocument value, EncoderContext encoderContext) {
        DRIVER.encode(writer, value, encoderContext);
    }

    @Override
    public Class<RawBsonDocument> getEncoderClass() {
        return RawBsonDocument.class;
    }
}
