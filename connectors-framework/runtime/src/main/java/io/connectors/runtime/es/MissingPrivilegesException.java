package io.connectors.runtime.es;

import java.util.List;

/**
 * The user the daemon authenticates as lacks privileges it needs; the message names each one and where the
 * role is documented. Thrown at start-up by {@link PrivilegeCheck}, before anything is written.
 */
public final class MissingPrivilegesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String username;
    private final List<String> missing;

    MissingPrivilegesException(String username, List<String> missing) {
        super("Elasticsearch user '" + username + "' lacks " + (missing.size() == 1 ? "a privilege" : missing.size()
                + " privileges") + " the connectors need: " + String.join("; ", missing)
                + ". Grant them with the role in " + RequiredPrivileges.DOCS, null, false, false);
        this.username = username;
        this.missing = List.copyOf(missing);
    }

    public String username() {
        return username;
    }

    /** Each missing privilege, e.g. {@code index privilege 'delete' on 'docs'}. */
    public List<String> missing() {
        return missing;
    }
}
