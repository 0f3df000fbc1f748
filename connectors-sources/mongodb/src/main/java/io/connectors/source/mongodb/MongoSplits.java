package io.connectors.source.mongodb;

import io.connectors.spi.SourceSplit;
import io.connectors.spi.SplitPosition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * How a full read of MongoDB is divided: each collection into ranges of {@code _id}, bounded by a sorted {@code $sample}
 * of its {@code _id}s (never a scan of the collection), for the one kind of {@code _id} the sample found most (numbers,
 * strings or ObjectIds). MongoDB compares values of one kind only ({@code $lt: "m"} matches no number), so the ranges
 * also name the kind ({@code $type}), and one more split reads every document whose {@code _id} is of another kind:
 * together they are exactly the collection. Bounds are half-open, {@code [from, to)}; the first range has no lower
 * bound and the last no upper one, so documents added after planning are read too.
 *
 * <p>A collection is one split when it is small (at most {@code split_documents}), when the rules are a pipeline or
 * sort by something other than {@code _id}, or when its {@code _id}s are of another kind (documents, binary...). Values
 * are extended JSON (canonical), so every BSON type of an {@code _id} survives the job record.
 */
final class MongoSplits {
    static final String COLLECTION = "collection";
    static final String KIND = "kind";
    static final String FROM = "from";
    static final String TO = "to";
    static final String OTHERS = "others";
    static final String AFTER = "after";
    static final int MAX_SPLITS = 512;
    /** Sampled _ids per split wanted: enough that the ranges come out even. */
    static final int SAMPLE_PER_SPLIT = 20;
    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

    /** The kinds of _id a collection is divided by, with the {@code $type} aliases that name them. */
    enum Kind {
        NUMBER("int", "long", "double", "decimal"), STRING("string"), OBJECT_ID("objectId");

        private final List<String> aliases;

        Kind(String... aliases) {
            this.aliases = List.of(aliases);
        }

        static Optional<Kind> of(BsonValue v) {
            if (v.isNumber() || v.isDecimal128()) {
                return Optional.of(NUMBER);
            }
            if (v.isString()) {
                return Optional.of(STRING);
            }
            if (v.isObjectId()) {
                return Optional.of(OBJECT_ID);
            }
            return Optional.empty();
        }

        BsonValue typeFilter() {
            BsonArray types = new BsonArray();
            aliases.forEach(a -> types.add(new BsonString(a)));
            return types;
        }

        /** MongoDB's order within the kind. */
        Comparator<BsonValue> order() {
            return switch (this) {
                case NUMBER -> Comparator.comparing(v -> v.isDecimal128() ? v.asDecimal128().decimal128Value().bigDecimalValue()
                        : new java.math.BigDecimal(v.asNumber().doubleValue()));
                case STRING -> (a, b) -> Arrays.compareUnsigned(a.asString().getValue().getBytes(StandardCharsets.UTF_8),
                        b.asString().getValue().getBytes(StandardCharsets.UTF_8));
                case OBJECT_ID -> Comparator.comparing(v -> v.asObjectId().getValue());
            };
        }
    }

    private MongoSplits() {
    }

    /** The split that reads a whole collection. */
    static SourceSplit whole(String collection) {
        return new SourceSplit(collection, collection + " (all documents)", Map.of(COLLECTION, collection));
    }

    /**
     * The splits of a collection from a sample of its _ids: ranges of the kind most sampled, plus the others. One split
     * when the sample gives no two distinct bounds.
     */
    static List<SourceSplit> fromSample(String collection, List<BsonValue> sample, int wanted) {
        Map<Kind, List<BsonValue>> byKind = new LinkedHashMap<>();
        for (BsonValue v : sample) {
            Kind.of(v).ifPresent(k -> byKind.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        Optional<Map.Entry<Kind, List<BsonValue>>> most = byKind.entrySet().stream()
                .max(Comparator.comparingInt(e -> e.getValue().size()));
        if (most.isEmpty() || wanted <= 1) {
            return List.of(whole(collection));
        }
        Kind kind = most.get().getKey();
        List<BsonValue> values = new ArrayList<>(most.get().getValue());
        values.sort(kind.order());
        List<BsonValue> bounds = new ArrayList<>();
        for (int i = 1; i < wanted; i++) {
            BsonValue v = values.get((int) Math.min(values.size() - 1, (long) i * values.size() / wanted));
            if (bounds.isEmpty() || kind.order().compare(bounds.get(bounds.size() - 1), v) < 0) {
                bounds.add(v);
            }
        }
        if (bounds.isEmpty()) {
            return List.of(whole(collection));
        }
        List<SourceSplit> out = new ArrayList<>();
        for (int i = 0; i <= bounds.size(); i++) {
            Map<String, Object> values1 = new LinkedHashMap<>();
            values1.put(COLLECTION, collection);
            values1.put(KIND, kind.name());
            values1.put(FROM, i == 0 ? null : json(bounds.get(i - 1)));
            values1.put(TO, i == bounds.size() ? null : json(bounds.get(i)));
            String range = (i == 0 ? "(-inf" : "[" + shown(bounds.get(i - 1))) + ", "
                    + (i == bounds.size() ? "+inf)" : shown(bounds.get(i)) + ")");
            out.add(new SourceSplit(collection + "#" + i, collection + " _id in " + range + " (" + kind.name().toLowerCase(
                    java.util.Locale.ROOT) + "s)", values1));
        }
        Map<String, Object> others = new LinkedHashMap<>();
        others.put(COLLECTION, collection);
        others.put(KIND, kind.name());
        others.put(OTHERS, true);
        out.add(new SourceSplit(collection + "#others", collection + " _id not a " + kind.name().toLowerCase(
                java.util.Locale.ROOT).replace('_', ' '), others));
        return out;
    }

    /**
     * The filter of a split's documents, after {@code after} (the last _id read) when resuming; {@code null} for a
     * whole-collection split read from its start.
     */
    static BsonDocument filter(Map<String, Object> split, BsonValue after) {
        Object kindName = split.get(KIND);
        BsonDocument id = new BsonDocument();
        if (kindName != null) {
            Kind kind = Kind.valueOf(kindName.toString());
            if (Boolean.TRUE.equals(split.get(OTHERS))) {
                id.put("$not", new BsonDocument("$type", kind.typeFilter()));
            } else {
                id.put("$type", kind.typeFilter());
                if (split.get(FROM) != null) {
                    id.put("$gte", value(split.get(FROM).toString()));
                }
                if (split.get(TO) != null) {
                    id.put("$lt", value(split.get(TO).toString()));
                }
            }
        }
        if (after != null) {
            id.put("$gt", after);
        }
        return id.isEmpty() ? null : new BsonDocument("_id", id);
    }

    /** Whether positions inside the split can be resumed from: its _ids are of one kind (so {@code $gt} covers the rest). */
    static boolean resumable(Map<String, Object> split) {
        return split.get(KIND) != null && !Boolean.TRUE.equals(split.get(OTHERS));
    }

    static SplitPosition position(BsonValue lastId) {
        return new SplitPosition(Map.of(AFTER, json(lastId)));
    }

    /** The _id a position resumes after; empty for the end position of a split that cannot resume mid-way. */
    static Optional<BsonValue> after(SplitPosition position) {
        Object after = position.values().get(AFTER);
        return after == null ? Optional.empty() : Optional.of(value(after.toString()));
    }

    static String json(BsonValue v) {
        return new BsonDocument("v", v).toJson(CANONICAL);
    }

    static BsonValue value(String json) {
        return BsonDocument.parse(json).get("v");
    }

    private static String shown(BsonValue v) {
        String s = v.isString() ? v.asString().getValue() : v.isObjectId() ? v.asObjectId().getValue().toHexString()
                : v.isNumber() ? String.valueOf(v.asNumber().doubleValue()) : v.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    static BsonDocument sampleStage(int size) {
        return new BsonDocument("$sample", new BsonDocument("size", new BsonInt32(size)));
    }
}
