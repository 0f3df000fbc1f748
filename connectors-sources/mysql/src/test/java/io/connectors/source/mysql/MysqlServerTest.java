package io.connectors.source.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.connectors.source.mysql.MysqlServer.Origin;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MysqlServerTest {

    @Test
    void parsesAUrlWithEverything() {
        MysqlServer server = MysqlServer.parse("mysql://app:s%3Acr%40t%2F@db.example:3307");
        assertThat(server.host()).isEqualTo("db.example");
        assertThat(server.port()).isEqualTo(3307);
        assertThat(server.user()).isEqualTo("app");
        assertThat(server.password()).isEqualTo("s:cr@t/");
        assertThat(server.origin()).isEqualTo(Origin.URL);
        assertThat(server.toString()).doesNotContain("s:cr@t/").contains(":***@");
    }

    @Test
    void parsesAUrlWithoutPasswordOrPort() {
        MysqlServer server = MysqlServer.parse("mysql://reader@10.0.0.5");
        assertThat(server.port()).isEqualTo(3306);
        assertThat(server.user()).isEqualTo("reader");
        assertThat(server.password()).isNull();

        MysqlServer noUser = MysqlServer.parse("mariadb://[::1]:3310");
        assertThat(noUser.host()).isEqualTo("::1");
        assertThat(noUser.port()).isEqualTo(3310);
        assertThat(noUser.user()).isEqualTo("root");
        assertThat(MysqlServer.parse("mysql://u%C3%A9:@h").user()).isEqualTo("ué");
        assertThat(MysqlServer.parse("mysql://u%C3%A9:@h").password()).isNull();
    }

    @Test
    void refusesOtherUrlsWithoutQuotingThem() {
        assertThatThrownBy(() -> MysqlServer.parse("postgresql://u:hunter2@h")).hasMessageContaining("mysql://")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> MysqlServer.parse("mysql://u:hunter2@ho st")).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> MysqlServer.parse("mysql:///nohost")).hasMessageContaining("no host");
    }

    @Test
    void choosesUrlThenLocalThenPrivate() {
        AtomicInteger asked = new AtomicInteger();
        assertThat(MysqlServer.choose("mysql://h", null, () -> asked.incrementAndGet() > 0)).isEqualTo(Origin.URL);
        assertThat(MysqlServer.choose("mysql://h", "true", () -> asked.incrementAndGet() > 0)).isEqualTo(Origin.PRIVATE);
        assertThat(MysqlServer.choose(null, "TRUE ", () -> asked.incrementAndGet() > 0)).isEqualTo(Origin.PRIVATE);
        assertThat(asked).hasValue(0);
        assertThat(MysqlServer.choose(" ", "false", () -> true)).isEqualTo(Origin.LOCAL);
        assertThat(MysqlServer.choose(null, null, () -> false)).isEqualTo(Origin.PRIVATE);
    }

    @Test
    void theBinlogInstanceLogsRowsAndADatabaseIsDroppedAtClose() {
        MysqlServer server = MysqlServer.binlog();
        assertThat(server.origin()).isEqualTo(Origin.PRIVATE);
        assertThat(server.query("SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@time_zone",
                row -> row.get(0, Long.class) + " " + row.get(1, String.class) + " " + row.get(2, String.class)
                        + " " + row.get(3, String.class)))
                .containsExactly("1 ROW FULL +00:00");

        String name;
        try (MysqlServer.Database db = server.create("server_test")) {
            name = db.name();
            assertThat(name).matches("server_test_[a-z0-9]{8}");
            db.sql("CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10))", "INSERT INTO t VALUES (1, '😀'), (2, 'é')");
            assertThat(db.count("SELECT count(*) FROM t")).isEqualTo(2);
            assertThat(db.query("SELECT s FROM t ORDER BY id", row -> row.get(0, String.class)))
                    .containsExactly("😀", "é");
            assertThat(db.config()).containsEntry("host", "127.0.0.1").containsEntry("port", server.port())
                    .containsEntry("user", "root").containsEntry("database", name).doesNotContainKey("password");
            assertThat(databases(server)).contains(name);
        }
        assertThat(databases(server)).doesNotContain(name);
    }

    private static java.util.List<String> databases(MysqlServer server) {
        return server.query("SHOW DATABASES", row -> row.get(0, String.class));
    }
}
