package io.connectors.testkit.network;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback port that accepts connections, closes them at once and counts them: point a source at it to prove that
 * something was, or was never, connected to (a host the network policy refused must see none).
 */
public final class ConnectionCounter implements AutoCloseable {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(60);

    private final ServerSocket listener;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    /** Listens on a free loopback port at once; {@code name} names the accepting thread. */
    public ConnectionCounter(String name) {
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on a loopback port", e);
        }
        acceptor = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    accepted.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        }, name);
        acceptor.start();
    }

    /** The port it listens on, at {@link InetAddress#getLoopbackAddress()}. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Stops listening and waits for the accepting thread. */
    @Override
    public void close() throws IOException, InterruptedException {
        listener.close();
        acceptor.join(CLOSE_WAIT.toMillis());
    }
}
