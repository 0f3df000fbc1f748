package io.connectors.runtime.es;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorResponse;
import co.elastic.clients.elasticsearch.security.HasPrivilegesResponse;
import io.connectors.runtime.util.Failures;
import io.connectors.runtime.util.PermissionDenied;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class PermissionDeniedTest {

    private static ElasticsearchException refused(int status, String type, String reason) {
        return new ElasticsearchException("es/indices.refresh", ErrorResponse.of(r -> r.status(status)
                .error(e -> e.type(type).reason(reason))));
    }

    @Test
    void aRefusedIndexActionNamesTheActionIndexUserAndPrivilege() {
        ElasticsearchException e = refused(403, "security_exception", "action [indices:admin/refresh] is unauthorized"
                + " for user [sync] with effective roles [connectors_sync] on indices [docs],"
                + " this action is granted by the index privileges [maintenance,manage,all]");
        assertThat(PermissionDenied.is(e)).isTrue();
        assertThat(Failures.describe(new CompletionException(e))).isEqualTo("Elasticsearch refused action"
                + " indices:admin/refresh on index docs for user 'sync' (roles: connectors_sync) (HTTP 403); it needs the"
                + " index privilege maintenance (or one of: maintenance, manage, all). The role the connectors need is in "
                + RequiredPrivileges.DOCS);
    }

    @Test
    void aRefusedClusterActionSaysTheCluster() {
        String message = PermissionDenied.describe("action [cluster:monitor/health] is unauthorized for user [u1] with"
                + " effective roles [], this action is granted by the cluster privileges [monitor,manage,all]").orElseThrow();
        assertThat(message).startsWith("Elasticsearch refused action cluster:monitor/health on the cluster for user 'u1'"
                + " (roles: none) (HTTP 403); it needs the cluster privilege monitor");
    }

    @Test
    void anApiKeyIsNamedAsElasticsearchNamesIt() {
        String message = PermissionDenied.describe("action [indices:data/read/mget[shard]] is unauthorized for API key"
                + " id [k1] of user [svc] on indices [a,b], this action is granted by the index privileges [read,all]")
                .orElseThrow();
        assertThat(message).contains("action indices:data/read/mget[shard] on index a, b for API key id 'k1' of user 'svc'"
                + " (HTTP 403); it needs the index privilege read");
    }

    @Test
    void otherTextsAndErrorsAreLeftAlone() {
        assertThat(PermissionDenied.describe("version conflict")).isEmpty();
        assertThat(PermissionDenied.describe((String) null)).isEmpty();
        ElasticsearchException other = refused(403, "cluster_block_exception", "index [a] blocked");
        assertThat(PermissionDenied.is(other)).isFalse();
        assertThat(PermissionDenied.is(refused(404, "security_exception", "x"))).isFalse();
        assertThat(Failures.describe(other)).contains("index [a] blocked");

        ElasticsearchException unparsed = refused(403, "security_exception", "something new");
        assertThat(Failures.describe(unparsed)).isEqualTo("Elasticsearch refused the request (HTTP 403): something new."
                + " The privileges the connectors need are in " + RequiredPrivileges.DOCS);
    }

    @Test
    void everyMissingPrivilegeIsNamedAtOnce() {
        Map<String, Map<String, Boolean>> index = new LinkedHashMap<>();
        index.put("connectors-state-*", Map.of("read", true));
        index.put("docs", new LinkedHashMap<>(Map.of("read", true)));
        index.get("docs").put("delete", false);
        index.get("docs").put("maintenance", false);
        index.put("docs-access-control", Map.of("delete", false));
        HasPrivilegesResponse response = HasPrivilegesResponse.of(r -> r.username("sync").hasAllRequested(false)
                .cluster(Map.of("monitor", false)).index(index).application(Map.of()));
        List<String> missing = PrivilegeCheck.missing(response);
        assertThat(missing).containsExactly("cluster privilege 'monitor'",
                "index privileges 'delete', 'maintenance' on 'docs'", "index privilege 'delete' on 'docs-access-control'");
        MissingPrivilegesException e = new MissingPrivilegesException(response.username(), missing);
        assertThat(e.getMessage()).isEqualTo("Elasticsearch user 'sync' lacks 3 privileges the connectors need:"
                + " cluster privilege 'monitor'; index privileges 'delete', 'maintenance' on 'docs';"
                + " index privilege 'delete' on 'docs-access-control'. Grant them with the role in " + RequiredPrivileges.DOCS);
        assertThat(e.username()).isEqualTo("sync");
        assertThat(e.missing()).hasSize(3);
        assertThat(new MissingPrivilegesException("u", List.of("cluster privilege 'monitor'")).getMessage())
                .startsWith("Elasticsearch user 'u' lacks a privilege the connectors need: cluster privilege 'monitor'.");
    }

    @Test
    void securityOffIsRecognizedByTheMissingEndpoint() {
        assertThat(PrivilegeCheck.securityOff(refused(400, "http_status_400",
                "no handler found for uri [/_security/user/_has_privileges] and method [POST]"))).isTrue();
        assertThat(PrivilegeCheck.securityOff(refused(500, "exception", "Security must be explicitly enabled when using"
                + " a [basic] license"))).isTrue();
        assertThat(PrivilegeCheck.securityOff(refused(401, "security_exception", "unable to authenticate"))).isFalse();
        assertThat(PrivilegeCheck.securityOff(new IllegalStateException("x"))).isFalse();
    }

    @Test
    void theRoleCoversTheStateIndicesAndEachTargetIndexOnce() {
        RequiredPrivileges role = RequiredPrivileges.of("connectors-state", List.of("docs", "acl", "docs"));
        assertThat(role.roleDescriptor()).isEqualTo(Map.of(
                "cluster", List.of("monitor"),
                "indices", List.of(
                        Map.of("names", List.of("connectors-state-*"), "privileges", RequiredPrivileges.STATE),
                        Map.of("names", List.of("acl", "docs"), "privileges", RequiredPrivileges.TARGET))));
        assertThat(RequiredPrivileges.of("p", List.of()).indices()).hasSize(1);
    }
}
