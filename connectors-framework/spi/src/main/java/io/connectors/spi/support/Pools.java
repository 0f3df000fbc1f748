package io.connectors.spi.support;

import java.time.Duration;

/** Settings shared by the connection pools of sources. */
public final class Pools {
    private Pools() {
    }

    /**
     * How often a pool checks idle connections against their idle and life times: half the shorter, between 1 s and
     * 1 min, so that connections past either are closed in the background too, not only when next used.
     */
    public static Duration evictionInterval(Duration maxIdle, Duration maxLife) {
        Duration shorter = maxIdle.compareTo(maxLife) < 0 ? maxIdle : maxLife;
        Duration half = shorter.dividedBy(2);
        Duration min = Duration.ofSeconds(1);
        Duration max = Duration.ofMinutes(1);
        return half.compareTo(min) < 0 ? min : half.compareTo(max) > 0 ? max : half;
    }
}
