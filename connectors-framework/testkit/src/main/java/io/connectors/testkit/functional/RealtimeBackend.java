package io.connectors.testkit.functional;

import java.nio.file.Path;

/**
 * An optional capability of a {@link SourceFixture} whose usual backend cannot be followed by a connector with
 * {@code realtime: true}, but which can start one that can, for the real-time scenarios of {@code make chaos} and
 * {@code make bench}. The PostgreSQL shared server has {@code wal_level=replica}, and a logical replication slot needs
 * {@code logical}: its fixture starts a private cluster instead. The harness detects it with {@code instanceof}.
 * Called from one thread; blocking is fine.
 */
public interface RealtimeBackend {

    /**
     * Starts, in place of {@link SourceFixture#start}, a backend of the fixture's own that a real-time connector can
     * follow; {@link SourceFixture#connectorConfiguration()} then points at it and {@link SourceFixture#close()} stops
     * it and deletes its data, whatever the connector left on it (a replication slot).
     *
     * @param workDir a folder of the harness's for files the fixture needs; deleted afterwards
     */
    void startForRealtime(Path workDir) throws Exception;
}
