package io.connectors.runtime.es;

import io.connectors.runtime.util.PermissionDenied;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the daemon and the CLI need from Elasticsearch when security is on: the least-privilege role documented in
 * {@code docs/elasticsearch.md} ("A least-privilege role"), as one declaration that the start-up check
 * ({@link PrivilegeCheck}) asks {@code _security/user/_has_privileges} about.
 *
 * <ul>
 *   <li>Cluster {@code monitor}: {@code GET _cluster/health} and {@code GET _nodes/_local} (the connection check).</li>
 *   <li>On the state indices ({@code <state.index_prefix>-*}, aliases and backing indices): create them with their
 *       aliases, add mapped fields, check the aliases exist, read, write and delete job and connector records,
 *       refresh.</li>
 *   <li>On each connector's target index (and {@code <index>-access-control} when it has an access-control
 *       schedule): create it, add mapped fields, check it exists, read stored versions and scan ids (point in
 *       time), index and delete documents, refresh.</li>
 * </ul>
 *
 * @param cluster cluster privileges
 * @param indices index privileges, by group of index names or patterns
 */
public record RequiredPrivileges(List<String> cluster, List<IndexPrivileges> indices) {

    /** Where the role is documented, for error messages (declared with the words for a 403, down in util). */
    public static final String DOCS = PermissionDenied.ROLE_DOCS;

    /** The cluster privileges. */
    public static final List<String> CLUSTER = List.of("monitor");

    /** The index privileges on the state indices and aliases. */
    public static final List<String> STATE = List.of("create_index", "indices:admin/aliases", "indices:admin/mapping/put",
            "view_index_metadata", "read", "index", "delete", "maintenance");

    /** The index privileges on a connector's target index. */
    public static final List<String> TARGET = List.of("create_index", "indices:admin/mapping/put", "view_index_metadata",
            "read", "index", "delete", "maintenance");

    /**
     * Privileges on some indices.
     *
     * @param names      index names or patterns
     * @param privileges named privileges or action patterns
     */
    public record IndexPrivileges(List<String> names, List<String> privileges) {
        public IndexPrivileges {
            names = List.copyOf(names);
            privileges = List.copyOf(privileges);
        }
    }

    public RequiredPrivileges {
        cluster = List.copyOf(cluster);
        indices = List.copyOf(indices);
    }

    /**
     * The privileges of a daemon whose state indices start with {@code statePrefix} and whose connectors write to
     * {@code targetIndices}.
     */
    public static RequiredPrivileges of(String statePrefix, Collection<String> targetIndices) {
        Objects.requireNonNull(statePrefix, "statePrefix");
        List<IndexPrivileges> indices = new ArrayList<>();
        indices.add(new IndexPrivileges(List.of(statePrefix + "-*"), STATE));
        List<String> targets = targetIndices.stream().distinct().sorted().toList();
        if (!targets.isEmpty()) {
            indices.add(new IndexPrivileges(targets, TARGET));
        }
        return new RequiredPrivileges(CLUSTER, indices);
    }

    /** The role as {@code PUT _security/role/<name>} takes it (and {@code roles.yml}, as JSON is YAML). */
    public Map<String, Object> roleDescriptor() {
        Map<String, Object> role = new LinkedHashMap<>();
        role.put("cluster", cluster);
        role.put("indices", indices.stream().map(i -> {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("names", i.names());
            group.put("privileges", i.privileges());
            return group;
        }).toList());
        return role;
    }
}
