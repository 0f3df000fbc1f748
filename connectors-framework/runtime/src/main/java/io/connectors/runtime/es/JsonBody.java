package io.connectors.runtime.es;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A request body given as plain JSON-compatible values, for the client's {@code withJson} builders. */
public final class JsonBody {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonBody() {
    }

    public static ByteArrayInputStream of(Object body) {
        try {
            return new ByteArrayInputStream(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
