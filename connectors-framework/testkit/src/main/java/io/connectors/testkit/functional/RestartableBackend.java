package io.connectors.testkit.functional;

/**
 * An optional capability of a {@link SourceFixture} whose backend the harness can stop and start again with its data
 * kept, at the same address, so that a daemon's connection string still points at it ({@code make chaos}: a database
 * restarted mid-sync). The harness detects it with {@code instanceof}. Called from one thread; blocking is fine.
 */
public interface RestartableBackend {

    /**
     * Whether this fixture owns its backend and can restart it (an in-process server can; a shared server the
     * fixture only reaches cannot).
     */
    boolean restartable();

    /** Stops the backend: open connections are cut and new ones refused, until {@link #startBackend()}. */
    void stopBackend() throws Exception;

    /** Starts the backend again at the same address, with the data it held when stopped. */
    void startBackend() throws Exception;
}
