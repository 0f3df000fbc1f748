package io.connectors.functional.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link StandInElasticsearch}'s cluster-level answers, shaped as Elasticsearch {@value #VERSION} shapes them (the
 * Elasticsearch Java client refuses an answer that lacks a field it requires): {@code GET /}, cluster health, node
 * info and the security calls.
 */
final class StandInCluster {
    static final String VERSION = "8.19.0";
    private static final String CLUSTER = "stand-in";
    private static final String NODE_ID = "standin-node-0";

    private StandInCluster() {
    }

    static Map<String, Object> rootInfo() {
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("number", VERSION);
        version.put("build_flavor", "default");
        version.put("build_type", "tar");
        version.put("build_hash", "stand-in");
        version.put("build_date", "2025-01-01T00:00:00.000Z");
        version.put("build_snapshot", false);
        version.put("lucene_version", "9.12.0");
        version.put("minimum_wire_compatibility_version", "7.17.0");
        version.put("minimum_index_compatibility_version", "7.0.0");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("name", NODE_ID);
        info.put("cluster_name", CLUSTER);
        info.put("cluster_uuid", "stand-in-cluster-uuid");
        info.put("version", version);
        info.put("tagline", "You Know, for Search");
        return info;
    }

    static Map<String, Object> health() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("cluster_name", CLUSTER);
        h.put("status", "green");
        h.put("timed_out", false);
        h.put("number_of_nodes", 1);
        h.put("number_of_data_nodes", 1);
        h.put("active_primary_shards", 1);
        h.put("active_shards", 1);
        h.put("relocating_shards", 0);
        h.put("initializing_shards", 0);
        h.put("unassigned_shards", 0);
        h.put("unassigned_primary_shards", 0);
        h.put("delayed_unassigned_shards", 0);
        h.put("number_of_pending_tasks", 0);
        h.put("number_of_in_flight_fetch", 0);
        h.put("task_max_waiting_in_queue_millis", 0);
        h.put("active_shards_percent_as_number", 100.0);
        return h;
    }

    static Map<String, Object> nodes() {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("name", NODE_ID);
        node.put("transport_address", "127.0.0.1:9300");
        node.put("host", "127.0.0.1");
        node.put("ip", "127.0.0.1");
        node.put("version", VERSION);
        node.put("build_flavor", "default");
        node.put("build_type", "tar");
        node.put("build_hash", "stand-in");
        node.put("roles", List.of("master", "data", "ingest"));
        node.put("attributes", Map.of());
        node.put("transport_version", 8_841_000);
        node.put("index_version", 8_521_000);
        node.put("component_versions", Map.of());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("_nodes", Map.of("total", 1, "successful", 1, "failed", 0));
        out.put("cluster_name", CLUSTER);
        out.put("nodes", Map.of(NODE_ID, node));
        return out;
    }

    /**
     * The privilege check (every privilege asked for granted) and {@code _authenticate}; empty for another
     * {@code _security} call.
     */
    static Optional<Map<String, Object>> security(List<String> p, JsonNode body) {
        if (p.size() >= 3 && p.get(p.size() - 1).equals("_has_privileges")) {
            Map<String, Object> cluster = new LinkedHashMap<>();
            body.path("cluster").forEach(c -> cluster.put(c.asText(), true));
            Map<String, Object> index = new LinkedHashMap<>();
            for (JsonNode check : body.path("index")) {
                for (JsonNode name : check.path("names")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> privileges = (Map<String, Object>) index.computeIfAbsent(name.asText(),
                            k -> new LinkedHashMap<String, Object>());
                    check.path("privileges").forEach(pr -> privileges.put(pr.asText(), true));
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("username", "stand-in");
            out.put("has_all_requested", true);
            out.put("cluster", cluster);
            out.put("index", index);
            out.put("application", Map.of());
            return Optional.of(out);
        }
        if (p.size() == 2 && p.get(1).equals("_authenticate")) {
            Map<String, Object> realm = Map.of("name", "stand-in", "type", "file");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("username", "stand-in");
            out.put("roles", List.of("superuser"));
            out.put("full_name", null);
            out.put("email", null);
            out.put("metadata", Map.of());
            out.put("enabled", true);
            out.put("authentication_realm", realm);
            out.put("lookup_realm", realm);
            out.put("authentication_type", "realm");
            return Optional.of(out);
        }
        return Optional.empty();
    }
}
