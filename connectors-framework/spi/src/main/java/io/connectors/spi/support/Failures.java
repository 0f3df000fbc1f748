package io.connectors.spi.support;

import java.util.Optional;

/** What a source needs to describe a failure: the cause of a type in a chain, the deepest message, a secret removed. */
public final class Failures {
    private Failures() {
    }

    /** The first cause of type {@code type} in the chain of {@code e}, or null. */
    public static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The message of the deepest cause that has one, or the deepest cause's simple class name. */
    public static String rootMessage(Throwable e) {
        Throwable root = e;
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message != null ? message : root.getClass().getSimpleName();
    }

    /**
     * {@code message} (or {@code "no detail"}) on one line, with {@code secret} masked wherever a library quoted it.
     */
    public static String scrub(String message, Optional<String> secret) {
        String m = message == null ? "no detail" : message;
        if (secret.isPresent() && !secret.get().isEmpty()) {
            m = m.replace(secret.get(), "********");
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
