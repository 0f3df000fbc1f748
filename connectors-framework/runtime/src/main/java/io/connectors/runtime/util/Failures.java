package io.connectors.runtime.util;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Reading failures that come wrapped by futures: the cause that matters, and its message for people. */
public final class Failures {
    private Failures() {
    }

    /** The failure inside {@link CompletionException}/{@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * A failure in words for job records and logs: the message of the innermost meaningful failure (future and
     * cancellation wrappers skipped), or its class name when it has none. A 403 from Elasticsearch says which action
     * on which index was refused for which user, and where the role the connectors need is documented.
     */
    public static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof CancellationException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (PermissionDenied.is(t)) {
            return PermissionDenied.describe((ElasticsearchException) t);
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /** Whether Elasticsearch answered with this HTTP status. */
    public static boolean isStatus(Throwable e, int status) {
        return unwrap(e) instanceof ElasticsearchException ee && ee.status() == status;
    }

    /** Whether Elasticsearch answered with an error of this type, e.g. {@code resource_already_exists_exception}. */
    public static boolean isErrorType(Throwable e, String type) {
        return unwrap(e) instanceof ElasticsearchException ee && ee.error() != null && type.equals(ee.error().type());
    }
}
