package io.connectors.spi.network;

import io.connectors.spi.SourceException;

/**
 * A host a source was configured to reach failed {@link NetworkPolicy#check}: it is not a valid host name or port, it
 * does not resolve, or the policy refuses one of its addresses. The message names the configuration field, the host,
 * the address and the rule; it carries no secret.
 */
public final class NetworkPolicyException extends SourceException {
    private static final long serialVersionUID = 1L;

    /** Why the check failed. */
    public enum Reason {
        /** Not a host name or IP address, or the port is outside 1..65535. */
        INVALID,
        /** The name does not resolve (now: DNS may answer later, so this one is retryable). */
        UNRESOLVABLE,
        /** An address of the host is refused by the policy. */
        REFUSED
    }

    private final Reason reason;
    private final String field;
    private final String host;

    NetworkPolicyException(Reason reason, String field, String host, String message, Throwable cause) {
        super(message, cause, reason == Reason.UNRESOLVABLE);
        this.reason = reason;
        this.field = field;
        this.host = host;
    }

    public Reason reason() {
        return reason;
    }

    /** The configuration field that named the host. */
    public String field() {
        return field;
    }

    /** The host as configured. */
    public String host() {
        return host;
    }
}
