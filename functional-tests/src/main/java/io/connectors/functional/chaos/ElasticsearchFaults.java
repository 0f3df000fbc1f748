package io.connectors.functional.chaos;

import java.util.List;

/** Faults of Elasticsearch and of the daemon process: killed, overloaded, restarted. */
final class ElasticsearchFaults {
    private ElasticsearchFaults() {
    }

    static List<ChaosScenario> all() {
        return List.of(new ElasticsearchKilled(), new ElasticsearchOverloaded(), new DaemonKilled());
    }
}
