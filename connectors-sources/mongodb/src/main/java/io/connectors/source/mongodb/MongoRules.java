package io.connectors.source.mongodb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;

/**
 * The MongoDB source's advanced sync rules, pushed down to the server: either a {@code find} (filter, projection,
 * sort) or an {@code aggregate} pipeline, applied to every configured collection.
 *
 * <pre>{@code
 * sync_rules:
 *   advanced:
 *     find:
 *       filter: { status: "published", "stats.views": { $gte: 100 } }
 *       projection: { title: 1, body: 1, tags: 1 }
 *       sort: { _id: 1 }
 * # or
 *     aggregate:
 *       pipeline:
 *         - { $match: { status: "published" } }
 *         - { $addFields: { year: { $year: "$published_at" } } }
 * }</pre>
 *
 * <p>Validation is static and complete for structure: unknown keys, values of the wrong shape, unknown query
 * operators at any depth of a filter, unknown or writing pipeline stages ({@code $out}, {@code $merge}) and stages
 * that are not one-key documents are rejected with a message that names the path. What only the server can judge (an
 * expression inside a stage) is reported by the server when the sync runs.
 *
 * <p>Documents keep their {@code _id}: a projection cannot exclude it, and the documents a pipeline produces must
 * have one (those without are counted and skipped when read). A pipeline whose stages all keep one output document
 * per input document with its {@code _id} ({@link #preservesIdentity()}) can also be applied to changes; otherwise
 * incremental syncs fall back to full syncs.
 */
final class MongoRules {
    static final MongoRules NONE = new MongoRules(null, null, null, null);

    /** The query operators a {@code find} filter may use (MongoDB 8.0). */
    static final Set<String> QUERY_OPERATORS = Set.of("$eq", "$gt", "$gte", "$in", "$lt", "$lte", "$ne", "$nin",
            "$and", "$not", "$nor", "$or", "$exists", "$type", "$expr", "$jsonSchema", "$mod", "$regex", "$options",
            "$text", "$search", "$language", "$caseSensitive", "$diacriticSensitive", "$where", "$geoIntersects",
            "$geoWithin", "$near", "$nearSphere", "$geometry", "$maxDistance", "$minDistance", "$box", "$center",
            "$centerSphere", "$polygon", "$all", "$elemMatch", "$size", "$bitsAllClear", "$bitsAllSet", "$bitsAnyClear",
            "$bitsAnySet", "$comment", "$rand", "$natural", "$sampleRate");

    /** Operators whose operand is an aggregation expression or free-form, not a filter: not descended into. */
    private static final Set<String> OPAQUE_OPERATORS = Set.of("$expr", "$jsonSchema", "$where", "$geometry",
            "$geoIntersects", "$geoWithin", "$near", "$nearSphere", "$text", "$comment");

    /** Pipeline stages that read (MongoDB 8.0); writing stages are refused on purpose. */
    static final Set<String> STAGES = Set.of("$addFields", "$bucket", "$bucketAuto", "$collStats", "$count",
            "$densify", "$facet", "$fill", "$geoNear", "$graphLookup", "$group", "$indexStats", "$limit", "$lookup",
            "$match", "$project", "$redact", "$replaceRoot", "$replaceWith", "$sample", "$search", "$searchMeta",
            "$set", "$setWindowFields", "$skip", "$sort", "$sortByCount", "$unionWith", "$unset", "$unwind",
            "$vectorSearch");

    /** Stages that keep exactly the documents they are given, by _id, only reshaping or filtering them. */
    private static final Set<String> IDENTITY_STAGES = Set.of("$addFields", "$set", "$project", "$unset", "$match",
            "$lookup", "$graphLookup", "$redact");

    private static final Set<String> WRITING_STAGES = Set.of("$out", "$merge");

    private final BsonDocument filter;
    private final BsonDocument projection;
    private final BsonDocument sort;
    private final List<BsonDocument> pipeline;

    private MongoRules(BsonDocument filter, BsonDocument projection, BsonDocument sort, List<BsonDocument> pipeline) {
        this.filter = filter;
        this.projection = projection;
        this.sort = sort;
        this.pipeline = pipeline;
    }

    /** These find rules with {@code more} as a further condition of the filter (for the range of a split). */
    MongoRules and(BsonDocument more) {
        if (pipeline != null) {
            throw new IllegalStateException("a pipeline has no filter to narrow");
        }
        BsonDocument combined = filter == null || filter.isEmpty() ? more
                : new BsonDocument("$and", new org.bson.BsonArray(List.of(filter, more)));
        return new MongoRules(combined, projection, sort, null);
    }

    /** Whether the rules are a pipeline (else a find, possibly with an empty filter). */
    boolean isPipeline() {
        return pipeline != null;
    }

    /** Whether any rule narrows or reshapes what is synced. */
    boolean isEmpty() {
        return filter == null && projection == null && sort == null && pipeline == null;
    }

    BsonDocument filter() {
        return filter == null ? new BsonDocument() : filter;
    }

    BsonDocument projection() {
        return projection;
    }

    /** The sort of a full sync: the rules' own, else by {@code _id}. */
    BsonDocument sort() {
        return sort == null ? new BsonDocument("_id", new org.bson.BsonInt32(1)) : sort;
    }

    List<BsonDocument> pipeline() {
        return pipeline;
    }

    /** Whether the pipeline maps each document to itself (same _id) or drops it, so it can be applied to changes. */
    boolean preservesIdentity() {
        return pipeline == null || pipeline.stream().allMatch(s -> IDENTITY_STAGES.contains(s.getFirstKey()));
    }

    /** The stage names that keep a pipeline from being applied to changes. */
    List<String> nonIdentityStages() {
        return pipeline == null ? List.of()
                : pipeline.stream().map(BsonDocument::getFirstKey).filter(k -> !IDENTITY_STAGES.contains(k)).distinct().toList();
    }

    /**
     * Parses advanced rules that {@link #validate} accepted.
     *
     * @throws IllegalArgumentException with the validation problems, if there are any
     */
    static MongoRules parse(Map<String, Object> advanced) {
        if (advanced == null || advanced.isEmpty()) {
            return NONE;
        }
        List<String> problems = validate(advanced);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid advanced sync rules: " + String.join("; ", problems));
        }
        if (advanced.containsKey("aggregate")) {
            BsonArray stages = toBson(((Map<?, ?>) advanced.get("aggregate")).get("pipeline")).asArray();
            return new MongoRules(null, null, null, stages.stream().map(BsonValue::asDocument).toList());
        }
        Map<?, ?> find = (Map<?, ?>) advanced.get("find");
        return new MongoRules(optionalDocument(find.get("filter")), optionalDocument(find.get("projection")),
                optionalDocument(find.get("sort")), null);
    }

    /** Every problem of the rules, each naming its path; empty when they are valid. */
    static List<String> validate(Map<String, Object> advanced) {
        List<String> problems = new ArrayList<>();
        if (advanced == null || advanced.isEmpty()) {
            return problems;
        }
        for (String key : advanced.keySet()) {
            if (!key.equals("find") && !key.equals("aggregate")) {
                problems.add("unknown key '" + key + "': advanced rules are either `find` (filter, projection, sort)"
                        + " or `aggregate` (pipeline)");
            }
        }
        if (advanced.containsKey("find") && advanced.containsKey("aggregate")) {
            problems.add("`find` and `aggregate` cannot be combined: choose one");
        }
        Object find = advanced.get("find");
        if (advanced.containsKey("find")) {
            validateFind(find, problems);
        }
        if (advanced.containsKey("aggregate")) {
            validateAggregate(advanced.get("aggregate"), problems);
        }
        return problems;
    }

    private static void validateFind(Object find, List<String> problems) {
        if (!(find instanceof Map<?, ?> map)) {
            problems.add("find: must be an object with `filter`, `projection` and/or `sort`, got " + describe(find));
            return;
        }
        for (Object key : map.keySet()) {
            if (!Set.of("filter", "projection", "sort").contains(String.valueOf(key))) {
                problems.add("find: unknown key '" + key + "' (allowed: filter, projection, sort)");
            }
        }
        if (map.get("filter") != null) {
            BsonValue filter = convert(map.get("filter"), "find.filter", problems);
            if (filter != null) {
                if (!filter.isDocument()) {
                    problems.add("find.filter: must be an object, got " + describe(map.get("filter")));
                } else {
                    checkFilter(filter.asDocument(), "find.filter", problems);
                }
            }
        }
        if (map.get("projection") != null) {
            BsonValue projection = convert(map.get("projection"), "find.projection", problems);
            if (projection != null) {
                if (!projection.isDocument()) {
                    problems.add("find.projection: must be an object, got " + describe(map.get("projection")));
                } else {
                    checkProjection(projection.asDocument(), problems);
                }
            }
        }
        if (map.get("sort") != null) {
            BsonValue sort = convert(map.get("sort"), "find.sort", problems);
            if (sort != null) {
                if (!sort.isDocument() || sort.asDocument().isEmpty()) {
                    problems.add("find.sort: must be a non-empty object of field: 1 or -1, got " + describe(map.get("sort")));
                } else {
                    sort.asDocument().forEach((field, direction) -> {
                        boolean ok = direction.isNumber() && Math.abs(direction.asNumber().doubleValue()) == 1
                                || direction.isDocument() && direction.asDocument().containsKey("$meta");
                        if (!ok) {
                            problems.add("find.sort." + field + ": must be 1 (ascending) or -1 (descending), got " + direction);
                        }
                    });
                }
            }
        }
    }

    private static void checkProjection(BsonDocument projection, List<String> problems) {
        BsonValue id = projection.get("_id");
        if (id != null && (id.isBoolean() && !id.asBoolean().getValue() || id.isNumber() && id.asNumber().intValue() == 0)) {
            problems.add("find.projection._id: the _id cannot be excluded: it is each document's id in the index");
        }
        boolean includes = false;
        boolean excludes = false;
        for (Map.Entry<String, BsonValue> e : projection.entrySet()) {
            if (e.getKey().equals("_id")) {
                continue;
            }
            BsonValue v = e.getValue();
            if (v.isBoolean() || v.isNumber()) {
                boolean include = v.isBoolean() ? v.asBoolean().getValue() : v.asNumber().doubleValue() != 0;
                includes |= include;
                excludes |= !include;
            }
        }
        if (includes && excludes) {
            problems.add("find.projection: cannot mix inclusion (1) and exclusion (0) of fields other than _id");
        }
    }

    private static void checkFilter(BsonDocument filter, String path, List<String> problems) {
        for (Map.Entry<String, BsonValue> e : filter.entrySet()) {
            String key = e.getKey();
            String at = path + "." + key;
            BsonValue value = e.getValue();
            if (key.startsWith("$")) {
                if (!QUERY_OPERATORS.contains(key)) {
                    problems.add(at + ": unknown query operator '" + key + "'");
                    continue;
                }
                if (OPAQUE_OPERATORS.contains(key)) {
                    continue;
                }
                if (Set.of("$and", "$or", "$nor").contains(key)) {
                    if (!value.isArray() || value.asArray().isEmpty()) {
                        problems.add(at + ": must be a non-empty array of filters");
                        continue;
                    }
                    for (int i = 0; i < value.asArray().size(); i++) {
                        BsonValue clause = value.asArray().get(i);
                        if (!clause.isDocument()) {
                            problems.add(at + "[" + i + "]: must be a filter object, got " + clause.getBsonType());
                        } else {
                            checkFilter(clause.asDocument(), at + "[" + i + "]", problems);
                        }
                    }
                    continue;
                }
                if (Set.of("$in", "$nin", "$all").contains(key) && !value.isArray()) {
                    problems.add(at + ": must be an array, got " + value.getBsonType());
                    continue;
                }
            }
            if (value.isDocument()) {
                checkFilter(value.asDocument(), at, problems);
            }
        }
    }

    private static void validateAggregate(Object aggregate, List<String> problems) {
        if (!(aggregate instanceof Map<?, ?> map)) {
            problems.add("aggregate: must be an object with `pipeline`, got " + describe(aggregate));
            return;
        }
        for (Object key : map.keySet()) {
            if (!"pipeline".equals(String.valueOf(key))) {
                problems.add("aggregate: unknown key '" + key + "' (allowed: pipeline)");
            }
        }
        Object pipeline = map.get("pipeline");
        if (!(pipeline instanceof List<?> stages) || stages.isEmpty()) {
            problems.add("aggregate.pipeline: must be a non-empty list of stages, got " + describe(pipeline));
            return;
        }
        for (int i = 0; i < stages.size(); i++) {
            String at = "aggregate.pipeline[" + i + "]";
            BsonValue stage = convert(stages.get(i), at, problems);
            if (stage == null) {
                continue;
            }
            if (!stage.isDocument() || stage.asDocument().size() != 1) {
                problems.add(at + ": a stage is an object with exactly one key, such as {$match: {...}}, got "
                        + describe(stages.get(i)));
                continue;
            }
            String name = stage.asDocument().getFirstKey();
            BsonValue body = stage.asDocument().get(name);
            if (WRITING_STAGES.contains(name)) {
                problems.add(at + ": " + name + " writes to the database; sync rules only read");
            } else if (name.equals("$changeStream")) {
                problems.add(at + ": $changeStream is not a rule: change streams are the connector's own business");
            } else if (!STAGES.contains(name)) {
                problems.add(at + ": unknown stage '" + name + "'");
            } else if (name.equals("$match")) {
                if (!body.isDocument()) {
                    problems.add(at + ".$match: must be a filter object, got " + body.getBsonType());
                } else {
                    checkFilter(body.asDocument(), at + ".$match", problems);
                }
            } else if (Set.of("$limit", "$skip").contains(name) && !(body.isNumber() && body.asNumber().longValue() >= 0)) {
                problems.add(at + "." + name + ": must be a non-negative number, got " + body);
            } else if (Set.of("$project", "$addFields", "$set", "$group", "$sort", "$lookup", "$replaceRoot", "$bucket",
                    "$bucketAuto", "$facet", "$graphLookup", "$sample", "$redact", "$setWindowFields", "$densify",
                    "$fill", "$geoNear", "$search", "$searchMeta", "$vectorSearch", "$collStats", "$indexStats",
                    "$replaceWith").contains(name) && !body.isDocument() && !name.equals("$replaceWith")) {
                problems.add(at + "." + name + ": must be an object, got " + body.getBsonType());
            }
        }
    }

    private static BsonValue convert(Object value, String path, List<String> problems) {
        try {
            return toBson(value);
        } catch (RuntimeException e) {
            problems.add(path + ": cannot be read as BSON: " + e.getMessage());
            return null;
        }
    }

    /**
     * A YAML/JSON value (maps, lists, scalars) as BSON. It goes through MongoDB Extended JSON, so rules can state
     * typed values the way mongosh prints them: {@code {_id: {$oid: "..."}}}, {@code {$date: "2024-01-01T00:00:00Z"}},
     * {@code {$numberDecimal: "1.10"}}.
     */
    static BsonValue toBson(Object value) {
        String json = new Document("v", value).toJson();
        return BsonDocument.parse(json).get("v");
    }

    private static BsonDocument optionalDocument(Object value) {
        return value == null ? null : toBson(value).asDocument();
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        String s = String.valueOf(value);
        return (s.length() > 80 ? s.substring(0, 80) + "…" : s) + " (" + value.getClass().getSimpleName() + ")";
    }
}
