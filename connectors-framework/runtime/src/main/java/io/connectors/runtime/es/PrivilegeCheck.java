package io.connectors.runtime.es;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.security.HasPrivilegesResponse;
import co.elastic.clients.elasticsearch.security.has_privileges.IndexPrivilegesCheck;
import io.connectors.runtime.util.Failures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Asks Elasticsearch ({@code POST _security/user/_has_privileges}) whether the user the client authenticates as
 * has every privilege in a {@link RequiredPrivileges}, so that a missing one is reported at start-up, all at once,
 * instead of as a 403 in the middle of a sync (or, for a document write, as failed documents).
 *
 * <p>Skipped when security is off (Elasticsearch then refuses the security API). Any other failure of the check
 * itself is logged and the start-up goes on: the check is a convenience, the requests are authorized anyway.
 */
public final class PrivilegeCheck {
    private static final Logger LOG = LoggerFactory.getLogger(PrivilegeCheck.class);

    private PrivilegeCheck() {
    }

    /**
     * Completes when the user has every privilege (or security is off); fails with a
     * {@link MissingPrivilegesException} naming each missing one. Lazy.
     */
    public static Mono<Void> check(ElasticsearchAsyncClient client, RequiredPrivileges required) {
        Objects.requireNonNull(required, "required");
        return Mono.fromFuture(() -> client.security().hasPrivileges(r -> r
                        .cluster(required.cluster())
                        .index(required.indices().stream()
                                .map(i -> IndexPrivilegesCheck.of(c -> c.names(i.names()).privileges(i.privileges())))
                                .toList())))
                .onErrorResume(e -> {
                    Throwable cause = Failures.unwrap(e);
                    if (securityOff(cause)) {
                        LOG.debug("Security is off in Elasticsearch: no privileges to check");
                    } else {
                        LOG.warn("Could not check the Elasticsearch user's privileges ({}); going on", Failures.describe(cause));
                    }
                    return Mono.empty();
                })
                .flatMap(response -> {
                    List<String> missing = missing(response);
                    if (missing.isEmpty()) {
                        LOG.info("Elasticsearch user '{}' has the privileges the connectors need", response.username());
                        return Mono.empty();
                    }
                    return Mono.error(new MissingPrivilegesException(response.username(), missing));
                });
    }

    /** Each privilege answered {@code false}, in words, cluster ones first, then by index in the answer's order. */
    static List<String> missing(HasPrivilegesResponse response) {
        List<String> missing = new ArrayList<>();
        response.cluster().forEach((privilege, granted) -> {
            if (!granted) {
                missing.add("cluster privilege '" + privilege + "'");
            }
        });
        for (Map.Entry<String, Map<String, Boolean>> index : response.index().entrySet()) {
            List<String> lacking = index.getValue().entrySet().stream().filter(p -> !p.getValue())
                    .map(Map.Entry::getKey).toList();
            if (!lacking.isEmpty()) {
                missing.add("index privilege" + (lacking.size() == 1 ? " '" : "s '") + String.join("', '", lacking)
                        + "' on '" + index.getKey() + "'");
            }
        }
        return missing;
    }

    /** Elasticsearch 8.19 with security off has no security endpoints: it answers 400 "no handler found". */
    static boolean securityOff(Throwable e) {
        if (e instanceof ElasticsearchException ee) {
            String reason = ee.error() != null && ee.error().reason() != null ? ee.error().reason() : ee.getMessage();
            return reason != null && (reason.contains("no handler found for uri [/_security/")
                    || reason.contains("Security must be explicitly enabled")
                    || reason.contains("security is not enabled") || reason.contains("Security is not enabled"));
        }
        return false;
    }
}
