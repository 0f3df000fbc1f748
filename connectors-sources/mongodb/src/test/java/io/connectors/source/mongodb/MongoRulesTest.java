package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class MongoRulesTest {

    @Test
    void noRulesSortById() {
        assertThat(MongoRules.parse(Map.of())).isSameAs(MongoRules.NONE);
        assertThat(MongoRules.parse(null).isEmpty()).isTrue();
        assertThat(MongoRules.NONE.sort()).isEqualTo(BsonDocument.parse("{_id: 1}"));
        assertThat(MongoRules.NONE.filter()).isEmpty();
        assertThat(MongoRules.validate(null)).isEmpty();
    }

    @Test
    void findRulesParseWithExtendedJson() {
        MongoRules rules = MongoRules.parse(Map.of("find", Map.of(
                "filter", Map.of("_id", Map.of("$gt", Map.of("$oid", "5f0000000000000000000000")),
                        "at", Map.of("$gte", Map.of("$date", "2024-01-01T00:00:00Z")),
                        "$or", List.of(Map.of("a", 1), Map.of("b", Map.of("$in", List.of(1, 2))))),
                "projection", Map.of("title", 1),
                "sort", Map.of("at", -1))));
        assertThat(rules.isPipeline()).isFalse();
        assertThat(rules.isEmpty()).isFalse();
        assertThat(rules.filter().getDocument("_id").get("$gt").asObjectId().getValue())
                .isEqualTo(new ObjectId("5f0000000000000000000000"));
        assertThat(rules.filter().getDocument("at").get("$gte").isDateTime()).isTrue();
        assertThat(rules.projection()).isEqualTo(BsonDocument.parse("{title: 1}"));
        assertThat(rules.sort()).isEqualTo(BsonDocument.parse("{at: -1}"));
        assertThat(rules.preservesIdentity()).isTrue();
    }

    @Test
    void pipelinesKnowWhetherTheyKeepDocumentsOneForOne() {
        MongoRules reshaping = MongoRules.parse(Map.of("aggregate", Map.of("pipeline", List.of(
                Map.of("$match", Map.of("a", 1)), Map.of("$set", Map.of("b", 2)), Map.of("$unset", "c")))));
        assertThat(reshaping.isPipeline()).isTrue();
        assertThat(reshaping.pipeline()).hasSize(3);
        assertThat(reshaping.preservesIdentity()).isTrue();
        assertThat(reshaping.nonIdentityStages()).isEmpty();

        MongoRules grouping = MongoRules.parse(Map.of("aggregate", Map.of("pipeline", List.of(
                Map.of("$unwind", "$tags"), Map.of("$group", Map.of("_id", "$tags")), Map.of("$limit", 5)))));
        assertThat(grouping.preservesIdentity()).isFalse();
        assertThat(grouping.nonIdentityStages()).containsExactly("$unwind", "$group", "$limit");
    }

    @Test
    void everyProblemIsNamedWithItsPath() {
        assertThat(MongoRules.validate(Map.of("query", Map.of()))).singleElement().asString().contains("unknown key 'query'");
        assertThat(MongoRules.validate(Map.of("find", Map.of(), "aggregate", Map.of("pipeline", List.of(Map.of("$match", Map.of()))))))
                .anySatisfy(p -> assertThat(p).contains("cannot be combined"));
        assertThat(MongoRules.validate(Map.of("find", "status = 1"))).singleElement().asString().startsWith("find: must be an object");
        assertThat(MongoRules.validate(Map.of("find", Map.of("filtre", Map.of())))).singleElement().asString().contains("unknown key 'filtre'");
        assertThat(MongoRules.validate(Map.of("find", Map.of("filter", List.of(1))))).singleElement().asString().startsWith("find.filter: must be an object");
        assertThat(MongoRules.validate(Map.of("find", Map.of("filter", Map.of("a", Map.of("$gtt", 1))))))
                .singleElement().asString().isEqualTo("find.filter.a.$gtt: unknown query operator '$gtt'");
        assertThat(MongoRules.validate(Map.of("find", Map.of("filter", Map.of("$or", List.of())))))
                .singleElement().asString().contains("find.filter.$or: must be a non-empty array");
        assertThat(MongoRules.validate(Map.of("find", Map.of("filter", Map.of("$and", List.of(Map.of("x", Map.of("$foo", 1)), 3))))))
                .containsExactly("find.filter.$and[0].x.$foo: unknown query operator '$foo'",
                        "find.filter.$and[1]: must be a filter object, got INT32");
        assertThat(MongoRules.validate(Map.of("find", Map.of("filter", Map.of("a", Map.of("$in", 3))))))
                .singleElement().asString().contains("find.filter.a.$in: must be an array");
        assertThat(MongoRules.validate(Map.of("find", Map.of("filter", Map.of("$expr", Map.of("$anything", List.of()))))))
                .as("expressions are the server's to judge").isEmpty();
        assertThat(MongoRules.validate(Map.of("find", Map.of("projection", Map.of("_id", 0)))))
                .singleElement().asString().contains("_id cannot be excluded");
        assertThat(MongoRules.validate(Map.of("find", Map.of("projection", Map.of("a", 1, "b", 0)))))
                .singleElement().asString().contains("cannot mix inclusion");
        assertThat(MongoRules.validate(Map.of("find", Map.of("projection", "a")))).singleElement().asString()
                .startsWith("find.projection: must be an object");
        assertThat(MongoRules.validate(Map.of("find", Map.of("sort", Map.of("a", 2))))).singleElement().asString()
                .isEqualTo("find.sort.a: must be 1 (ascending) or -1 (descending), got BsonInt32{value=2}");
        assertThat(MongoRules.validate(Map.of("find", Map.of("sort", Map.of())))).singleElement().asString()
                .startsWith("find.sort: must be a non-empty object");
    }

    @Test
    void pipelineStagesAreChecked() {
        assertThat(MongoRules.validate(Map.of("aggregate", List.of()))).singleElement().asString().startsWith("aggregate: must be an object");
        assertThat(MongoRules.validate(Map.of("aggregate", Map.of("stages", List.of()))))
                .contains("aggregate: unknown key 'stages' (allowed: pipeline)");
        assertThat(MongoRules.validate(Map.of("aggregate", Map.of("pipeline", List.of())))).singleElement().asString()
                .startsWith("aggregate.pipeline: must be a non-empty list");
        List<String> problems = MongoRules.validate(Map.of("aggregate", Map.of("pipeline", List.of(
                Map.of("$out", "copy"),
                Map.of("$merge", Map.of("into", "x")),
                Map.of("$changeStream", Map.of()),
                Map.of("$frobnicate", Map.of()),
                Map.of("$match", Map.of("a", 1), "$limit", 3),
                Map.of("$match", 5),
                Map.of("$match", Map.of("a", Map.of("$bad", 1))),
                Map.of("$limit", -1),
                Map.of("$project", "a"),
                "not a stage"))));
        assertThat(problems).containsExactly(
                "aggregate.pipeline[0]: $out writes to the database; sync rules only read",
                "aggregate.pipeline[1]: $merge writes to the database; sync rules only read",
                "aggregate.pipeline[2]: $changeStream is not a rule: change streams are the connector's own business",
                "aggregate.pipeline[3]: unknown stage '$frobnicate'",
                problems.get(4),
                "aggregate.pipeline[5].$match: must be a filter object, got INT32",
                "aggregate.pipeline[6].$match.a.$bad: unknown query operator '$bad'",
                "aggregate.pipeline[7].$limit: must be a non-negative number, got BsonInt32{value=-1}",
                "aggregate.pipeline[8].$project: must be an object, got STRING",
                problems.get(9));
        assertThat(problems.get(4)).contains("exactly one key");
        assertThat(problems.get(9)).contains("exactly one key");
    }

    @Test
    void parsingInvalidRulesFailsWithTheProblems() {
        assertThatThrownBy(() -> MongoRules.parse(Map.of("find", Map.of("filter", Map.of("$nope", 1)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown query operator '$nope'");
    }
}
