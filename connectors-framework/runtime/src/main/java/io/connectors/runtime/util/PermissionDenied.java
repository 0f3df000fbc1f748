package io.connectors.runtime.util;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Words for Elasticsearch's 403 {@code security_exception}: which action on which index (or the cluster) was
 * refused for which user, which privileges would grant it, and where the daemon's role is documented.
 */
public final class PermissionDenied {
    /** Where the role the connectors need is documented. */
    public static final String ROLE_DOCS = "docs/elasticsearch.md#a-least-privilege-role";

    // action [indices:admin/refresh] is unauthorized for user [u] with effective roles [r] on indices [a,b],
    // this action is granted by the index privileges [maintenance,manage,all]
    private static final Pattern UNAUTHORIZED = Pattern.compile(
            "action \\[(\\S+)\\] is unauthorized for (.+?)(?: with (?:effective )?roles \\[([^\\]]*)\\])?"
                    + "(?: on indices \\[([^\\]]*)\\])?, this action is granted by the (cluster|index) privileges \\[([^\\]]*)\\]");

    private PermissionDenied() {
    }

    /** Whether {@code e} is Elasticsearch refusing a request for lack of privileges. */
    public static boolean is(Throwable e) {
        return e instanceof ElasticsearchException ee && ee.status() == 403 && ee.error() != null
                && "security_exception".equals(ee.error().type());
    }

    /** The message for a refused request, e.g. for job records and the command line. */
    public static String describe(ElasticsearchException e) {
        String reason = e.error() != null && e.error().reason() != null ? e.error().reason() : e.getMessage();
        return describe(reason).orElseGet(() -> "Elasticsearch refused the request (HTTP 403): " + reason
                + ". The privileges the connectors need are in " + ROLE_DOCS);
    }

    /**
     * The message for Elasticsearch's reason text when it says an action is unauthorized (as in a 403 answer or a
     * failed item of an {@code _mget} or {@code _bulk}); empty for any other text.
     */
    public static Optional<String> describe(String reason) {
        if (reason == null) {
            return Optional.empty();
        }
        Matcher m = UNAUTHORIZED.matcher(reason);
        if (!m.find()) {
            return Optional.empty();
        }
        String action = m.group(1);
        String who = m.group(2).replace("[", "'").replace("]", "'");
        String roles = m.group(3);
        String on = m.group(4) != null ? "index " + m.group(4).replace(",", ", ") : "the cluster";
        String kind = m.group(5);
        String grantedBy = m.group(6).replace(",", ", ");
        return Optional.of("Elasticsearch refused action " + action + " on " + on + " for " + who
                + (roles == null ? "" : " (roles: " + (roles.isEmpty() ? "none" : roles.replace(",", ", ")) + ")")
                + " (HTTP 403); it needs the " + kind + " privilege " + firstOf(grantedBy) + " (or one of: " + grantedBy
                + "). The role the connectors need is in " + ROLE_DOCS);
    }

    private static String firstOf(String list) {
        int comma = list.indexOf(',');
        return comma < 0 ? list : list.substring(0, comma);
    }
}
