package io.connectors.functional.chaos;

import co.elastic.clients.elasticsearch.core.GetResponse;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.connectors.functional.ElasticsearchSession;
import io.connectors.functional.FixtureLoader;
import io.connectors.functional.SyncOutcome;
import io.connectors.functional.Verification;
import io.connectors.testkit.functional.SourceFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code invalid-utf8-file}: files that are not valid UTF-8 (Latin-1, a truncated sequence, an overlong encoding, an
 * encoded surrogate, valid text with one bad byte at the end) among 2,000 text files. The directory source hands them
 * to content extraction rather than guessing (never replacement characters of its own): the parsers detect their
 * encoding and give their text; the sync completes and a re-sync finds them unchanged.
 */
final class InvalidUtf8File implements ChaosScenario {
    static final int FILES = 2_000;

    @Override
    public String name() {
        return "invalid-utf8-file";
    }

    @Override
    public String fault() {
        return "5 files that are not valid UTF-8 (Latin-1, truncated, overlong, surrogate, one bad byte) among 2,000";
    }

    @Override
    public ChaosResult run(ChaosContext context) throws Exception {
        ChaosResult.Builder result = ChaosResult.builder();
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("invalid/latin1.txt", new byte[] {'c', 'a', 'f', (byte) 0xE9, ' ', 'a', 'u', ' ', 'l', 'a', 'i', 't'});
        bad.put("invalid/truncated.md", new byte[] {'#', ' ', 'T', 'o', 'k', 'y', 'o', ' ', (byte) 0xE6, (byte) 0x9D});
        bad.put("invalid/overlong.txt", new byte[] {'a', (byte) 0xC0, (byte) 0xAF, 'b'});
        bad.put("invalid/surrogate.txt", new byte[] {'x', (byte) 0xED, (byte) 0xA0, (byte) 0x80, 'y'});
        byte[] text = "A long valid line of text, then one bad byte at the very end: ".repeat(20).getBytes();
        byte[] tail = java.util.Arrays.copyOf(text, text.length + 1);
        tail[text.length] = (byte) 0xFF;
        bad.put("invalid/bad-tail.log", tail);
        try (SourceFixture fixture = FixtureLoader.load("directory"); SourceChaos chaos = SourceChaos.open(context, name())) {
            fixture.start(chaos.work.resolve("backend"));
            fixture.load(FILES);
            Map<String, Object> configuration = fixture.connectorConfiguration();
            Path root = Path.of(String.valueOf(configuration.get("path")));
            for (Map.Entry<String, byte[]> e : bad.entrySet()) {
                Files.createDirectories(root.resolve(e.getKey()).getParent());
                Files.write(root.resolve(e.getKey()), e.getValue());
            }
            Path config = chaos.config("config", "directory", configuration, Map.of());
            SyncOutcome first = chaos.sync(config);
            result.checkEquals("the sync completes with every file indexed, none failed",
                    List.of("completed", (long) FILES + bad.size(), 0L),
                    List.of(first.status(), first.count("indexed"), first.count("failed")));
            result.checkEquals("they go to content extraction, which gives all 5 their text", List.of(5L, 0L),
                    List.of(first.count("extracted"), first.count("not_extracted")));
            try (ElasticsearchSession session = ElasticsearchSession.open(chaos.es)) {
                for (Map.Entry<String, byte[]> e : bad.entrySet()) {
                    GetResponse<ObjectNode> doc = session.client().get(g -> g.index(chaos.index).id(e.getKey()),
                            ObjectNode.class);
                    ObjectNode source = doc.source();
                    String outcome = source == null ? "not found" : source.path("content_metadata").path("outcome").asText();
                    result.check(e.getKey() + " is indexed with its size and extracted text", doc.found() && source != null
                            && source.has("content") && "extracted".equals(outcome)
                            && source.path("size").asLong() == e.getValue().length,
                            source == null ? "not found" : "size " + source.path("size") + ", extraction " + outcome
                                    + ", encoding " + source.path("content_metadata").path("encoding").asText("-"));
                }
                GetResponse<ObjectNode> latin1 = session.client().get(g -> g.index(chaos.index).id("invalid/latin1.txt"),
                        ObjectNode.class);
                String read = latin1.source() == null ? "" : latin1.source().path("content").asText();
                result.check("the Latin-1 file reads as Latin-1", read.contains("caf\u00e9 au lait"), "'" + read + "'");
            }
            Verification v = chaos.verify(fixture);
            result.check("index equal to the tree", v.equal(), v.summary());
            SyncOutcome second = chaos.sync(config);
            result.checkEquals("a re-sync finds every file unchanged", List.of("completed", (long) FILES + bad.size()),
                    List.of(second.status(), second.count("unchanged")));
            return result.outcome("5 invalid UTF-8 files indexed with the text content extraction gave them (their"
                    + " encoding detected); the sync completed; re-sync unchanged").documentsLost(v.documentsLost()).build();
        }
    }
}
