package io.connectors.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder writes what a user would write by hand. */
class ConfigYamlTest {

    @Test
    void settingsNestAndConnectorsAreAList() {
        String yaml = ConfigYaml.elasticsearch("http://127.0.0.1:9")
                .set("elasticsearch.username", "elastic")
                .set("elasticsearch.timeouts.connect", "1s")
                .set("network.allowed_hosts", List.of("db.example.com", "10.0.0.0/8"))
                .directory("docs", "/data", c -> c.index("notes").set("realtime", true).schedule("full", "0 0 * * * ?")
                        .raw("sync_rules:\n  basic: []\n"))
                .connector("other", "nope", c -> { })
                .toString();

        assertThat(yaml).isEqualTo("""
                elasticsearch:
                  host: http://127.0.0.1:9
                  username: elastic
                  timeouts:
                    connect: 1s
                network:
                  allowed_hosts: [db.example.com, 10.0.0.0/8]
                connectors:
                  - id: docs
                    type: directory
                    configuration:
                      path: /data
                    index: notes
                    realtime: true
                    schedule:
                      full: '0 0 * * * ?'
                    sync_rules:
                      basic: []
                  - id: other
                    type: nope
                """);
    }

    @Test
    void withoutConnectorsTheListIsEmptyAndTextThatIsNotPlainIsQuoted() {
        assertThat(ConfigYaml.empty().set("elasticsearch.password", "it's: secret").set("sync.workers", 3)
                .set("daemon.id", "true").toString()).isEqualTo("""
                elasticsearch:
                  password: 'it''s: secret'
                sync:
                  workers: 3
                daemon:
                  id: 'true'
                connectors: []
                """);
    }
}
