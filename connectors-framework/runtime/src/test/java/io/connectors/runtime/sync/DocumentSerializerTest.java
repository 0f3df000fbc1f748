package io.connectors.runtime.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connectors.spi.SourceDocument;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DocumentSerializerTest {
    private final DocumentSerializer serializer = new DocumentSerializer("fp");
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void valuesAreWrittenFaithfully() throws Exception {
        UUID uuid = UUID.randomUUID();
        SourceDocument doc = SourceDocument.builder("d1")
                .field("decimal", new BigDecimal("12345678901234567890.123456789012345678"))
                .field("big", new BigInteger("123456789012345678901234567890"))
                .field("long", Long.MAX_VALUE)
                .field("instant", Instant.parse("2024-05-06T07:08:09.123456789Z"))
                .field("offset", OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)))
                .field("date", LocalDate.of(2024, 2, 29))
                .field("binary", new byte[] {1, 2, 3})
                .field("buffer", ByteBuffer.wrap(new byte[] {4, 5}))
                .field("uuid", uuid)
                .field("nested", Map.of("list", List.of(1, "two", Map.of("three", 3.5))))
                .field("nothing", null)
                .build();
        PreparedDocument p = serializer.prepare(doc);
        String text = DocumentSerializer.text(p.json());
        assertThat(text).contains("\"decimal\":12345678901234567890.123456789012345678")
                .contains("\"big\":123456789012345678901234567890")
                .contains("\"long\":9223372036854775807");
        JsonNode node = json.readTree(p.json());
        assertThat(node.get("instant").asText()).isEqualTo("2024-05-06T07:08:09.123456789Z");
        assertThat(node.get("offset").asText()).isEqualTo("2024-01-02T03:04:05+02:00");
        assertThat(node.get("date").asText()).isEqualTo("2024-02-29");
        assertThat(node.get("binary").asText()).isEqualTo("AQID");
        assertThat(node.get("buffer").asText()).isEqualTo("BAU=");
        assertThat(node.get("uuid").asText()).isEqualTo(uuid.toString());
        assertThat(node.get("nested").get("list").get(2).get("three").asDouble()).isEqualTo(3.5);
        assertThat(node.get("nothing").isNull()).isTrue();
        assertThat(node.get(DocumentSerializer.ID_FIELD).asText()).isEqualTo("d1");
        assertThat(node.get(DocumentSerializer.VERSION_FIELD).asText()).isEqualTo(p.stamp()).startsWith("fp:sha256:");
    }

    @Test
    void numbersTooLongForElasticsearchAreWrittenShorterOrAsText() throws Exception {
        BigDecimal huge = new BigDecimal("9.999999999999999999999999999999999E+6144");
        BigInteger digits = new BigInteger("7".repeat(1001));
        PreparedDocument p = serializer.prepare(SourceDocument.builder("n").field("huge", huge).field("digits", digits)
                .field("edge", new BigInteger("8".repeat(1000))).build());

        String text = DocumentSerializer.text(p.json());
        assertThat(text).contains("\"huge\":9.999999999999999999999999999999999E+6144")
                .contains("\"digits\":\"" + "7".repeat(1001) + "\"")
                .contains("\"edge\":" + "8".repeat(1000) + ",");
    }

    @Test
    void aSchemalessFieldOfMixedKindsInOneDocumentBecomesText() throws Exception {
        DocumentSerializer schemaless = new DocumentSerializer("fp", true);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("mixed", List.of(1, "two", true, List.of(4.5), Map.of("inner", 1)));
        fields.put("objects", List.of(Map.of("a", 1), Map.of("a", "x")));
        fields.put("objects.a.b", 1);
        fields.put("same", List.of(1, 2.5, new BigDecimal("3.10")));
        fields.put("dates", List.of(Instant.parse("2024-01-01T00:00:00Z"), "text"));
        fields.put("arrays", List.of(new int[] {7}, new String[] {"x"}));

        byte[] written = schemaless.prepare(SourceDocument.builder("m").fields(fields).build()).json();
        JsonNode node = json.readTree(written);

        assertThat(node.get("mixed").toString()).isEqualTo("[\"1\",\"two\",\"true\",[\"4.5\"],{\"inner\":1}]");
        assertThat(node.get("objects").toString()).isEqualTo("[{\"a\":\"1\"},{\"a\":\"x\"}]");
        assertThat(node.get("objects.a.b").isNumber()).as("a path of its own").isTrue();
        assertThat(DocumentSerializer.text(written)).as("numbers only: kept as numbers").contains("\"same\":[1,2.5,3.10]");
        assertThat(node.get("dates").get(0).asText()).isEqualTo("2024-01-01T00:00:00Z");
        assertThat(node.get("arrays").toString()).as("arrays of any kind count as arrays").isEqualTo("[[\"7\"],[\"x\"]]");
        JsonNode fixed = json.readTree(serializer.prepare(SourceDocument.builder("m").fields(fields).build()).json());
        assertThat(fixed.get("mixed").get(0).isNumber()).as("a source with mappings gets what it emitted").isTrue();
    }

    @Test
    void hashIgnoresMapOrderAndFollowsContent() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("x", 1);
        a.put("y", Map.of("b", 2, "a", 1));
        Map<String, Object> b = new HashMap<>();
        b.put("y", new java.util.TreeMap<>(Map.of("a", 1, "b", 2)));
        b.put("x", 1);
        String stampA = serializer.prepare(SourceDocument.builder("1").fields(a).build()).stamp();
        String stampB = serializer.prepare(SourceDocument.builder("1").fields(b).build()).stamp();
        String stampC = serializer.prepare(SourceDocument.builder("1").field("x", 2).build()).stamp();
        assertThat(stampA).isEqualTo(stampB).isNotEqualTo(stampC);
    }

    @Test
    void sourceVersionIsUsedWhenGiven() {
        PreparedDocument p = serializer.prepare(SourceDocument.builder("1").version("v7").field("x", 1).build());
        assertThat(p.stamp()).isEqualTo("fp:v7");
        assertThat(new DocumentSerializer("other").prepare(SourceDocument.builder("1").version("v7").build()).stamp())
                .isNotEqualTo(p.stamp());
    }

    @Test
    void emptyDocumentIsValidJson() throws Exception {
        PreparedDocument p = serializer.prepare(SourceDocument.builder("e").build());
        assertThat(json.readTree(p.json()).size()).isEqualTo(2);
    }

    @Test
    void longIdsAreHashedConsistently() {
        String longId = "x".repeat(600);
        String id = serializer.prepare(SourceDocument.builder(longId).build()).id();
        assertThat(id).startsWith("sha256-").hasSize(7 + 64).isEqualTo(DocIds.normalize(longId));
        // The limit is 512 UTF-8 bytes, not characters: "é" takes two.
        assertThat(DocIds.normalize("é".repeat(257))).startsWith("sha256-");
        assertThat(DocIds.normalize("é".repeat(256))).isEqualTo("é".repeat(256));
    }

    @Test
    void unsupportedValuesFailTheDocumentWithTheFieldPath() {
        assertThatThrownBy(() -> serializer.prepare(SourceDocument.builder("d").field("a", Map.of("b", List.of(new Object()))).build()))
                .isInstanceOf(DocumentSerializer.InvalidDocumentException.class)
                .hasMessageContaining("document 'd'")
                .hasMessageContaining("field 'a.b[0]'");
        assertThatThrownBy(() -> serializer.prepare(SourceDocument.builder("d").field("n", Double.NaN).build()))
                .hasMessageContaining("field 'n' is NaN");
    }
}
