package io.connectors.source.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoCredential;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketReadException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ReadPreference;
import com.mongodb.ServerAddress;
import io.connectors.spi.CursorExpiredException;
import io.connectors.spi.SourceException;
import io.connectors.spi.config.ConfigValidationException;
import io.connectors.spi.config.SourceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.UuidRepresentation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MongoConfigTest {
    @TempDir
    Path dir;

    static MongoConfig config(Map<String, Object> extra) {
        Map<String, Object> raw = new LinkedHashMap<>(Map.of("connection_string", "mongodb://u:p4ss@db1:27017,db2:27018/?authSource=users",
                "database", "shop", "collections", List.of("orders")));
        raw.putAll(extra);
        return MongoConfig.from(SourceConfig.from(MongoConfig.FIELDS, raw));
    }

    @Test
    void toStringNeverShowsCredentials() {
        String text = config(Map.of("connection_string", "mongodb://admin:hunter2@db1:27017/?authSource=admin",
                "username", "reader", "password", "s3cret")).toString();
        assertThat(text).contains("db1:27017", "reader").doesNotContain("hunter2", "s3cret");
    }

    @Test
    void defaultsAndPoolSettingsReachTheDriver() {
        MongoConfig config = config(Map.of("max_pool_size", 3, "max_connection_idle_time", "20s",
                "max_connection_life_time", "5m", "read_preference", "secondaryPreferred", "uuid_representation", "csharp_legacy"));
        MongoClientSettings settings = config.clientSettings();
        assertThat(settings.getConnectionPoolSettings().getMaxSize()).isEqualTo(3);
        assertThat(settings.getConnectionPoolSettings().getMaxConnectionIdleTime(TimeUnit.SECONDS)).isEqualTo(20);
        assertThat(settings.getConnectionPoolSettings().getMaxConnectionLifeTime(TimeUnit.MINUTES)).isEqualTo(5);
        assertThat(settings.getReadPreference()).isEqualTo(ReadPreference.secondaryPreferred());
        assertThat(settings.getClusterSettings().getServerSelectionTimeout(TimeUnit.SECONDS)).isEqualTo(10);
        assertThat(settings.getSocketSettings().getConnectTimeout(TimeUnit.SECONDS)).isEqualTo(10);
        assertThat(settings.getCredential().getSource()).isEqualTo("users");
        assertThat(config.maxConcurrentOperations()).as("0 means the pool size").isEqualTo(3);
        assertThat(config.legacyUuid()).isEqualTo(UuidRepresentation.C_SHARP_LEGACY);
        assertThat(config.hosts()).isEqualTo("db1:27017,db2:27018").doesNotContain("p4ss");
        assertThat(config.multiCollection()).isFalse();
        assertThat(config.changeStreamIdle()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void separateCredentialsAndAuthDatabase() {
        MongoCredential c = config(Map.of("connection_string", "mongodb://db1", "username", "reader", "password", "pw",
                "auth_database", "admin")).clientSettings().getCredential();
        assertThat(c.getUserName()).isEqualTo("reader");
        assertThat(c.getSource()).isEqualTo("admin");
        assertThat(new String(c.getPassword())).isEqualTo("pw");
        assertThat(config(Map.of("connection_string", "mongodb://db1", "username", "reader")).clientSettings()
                .getCredential().getSource()).isEqualTo("admin");
        assertThat(config(Map.of("auth_database", "other")).clientSettings().getCredential().getSource()).isEqualTo("other");
        assertThat(config(Map.of("connection_string", "mongodb://db1")).clientSettings().getCredential()).isNull();
    }

    @Test
    void tlsWithACaFile() throws Exception {
        assertThat(config(Map.of("tls", true)).clientSettings().getSslSettings().isEnabled()).isTrue();
        assertThat(config(Map.of()).clientSettings().getSslSettings().isEnabled()).isFalse();
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> config(Map.of("tls_ca_file", empty.toString())).clientSettings())
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("tls_ca_file");
        assertThatThrownBy(() -> config(Map.of("tls_ca_file", dir.resolve("missing.pem").toString())).clientSettings())
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("cannot be read");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> config(Map.of("tls_ca_file", garbage.toString())).clientSettings())
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("tls_ca_file");
    }

    @Test
    void badConnectionStringsAreRefusedWithoutTheirSecret() {
        assertThatThrownBy(() -> config(Map.of("connection_string", "mongodb://user:t0psecret@host:notaport")))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("connection_string")
                .hasMessageNotContaining("t0psecret");
        assertThatThrownBy(() -> config(Map.of("database", "x".repeat(64))))
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("longer than 63");
    }

    @Test
    void errorsAreDescribedInTheUsersTerms() {
        MongoConfig config = config(Map.of());
        MongoCredential credential = MongoCredential.createCredential("reader", "admin", "pw".toCharArray());
        assertThat(MongoErrors.describe(new MongoSecurityException(credential, "auth failed"), config, "pinging"))
                .hasMessageContaining("user 'reader'").hasMessageContaining("db1:27017").hasMessageNotContaining("p4ss");
        assertThat(MongoErrors.describe(new MongoSecurityException(null, "auth failed"), config, "pinging"))
                .hasMessageContaining("the configured user");
        RuntimeException timeout = MongoErrors.describe(new MongoTimeoutException("Timed out"), config, "pinging");
        assertThat(timeout).hasMessageContaining("cannot reach MongoDB");
        assertThat(((SourceException) timeout).retryable()).isTrue();
        RuntimeException socket = MongoErrors.describe(new MongoSocketReadException("reset", new ServerAddress("db1")), config, "reading");
        assertThat(((SourceException) socket).retryable()).isTrue();
        assertThat(MongoErrors.describe(command(286, "ChangeStreamHistoryLost"), config, "following"))
                .isInstanceOf(CursorExpiredException.class);
        assertThat(MongoErrors.describe(command(40573, "Location40573"), config, "following"))
                .hasMessageContaining("replica set");
        assertThat(MongoErrors.describe(command(13, "Unauthorized"), config, "read collection 'orders'"))
                .hasMessageContaining("refused to let");
        assertThat(MongoErrors.describe(command(18, "AuthenticationFailed"), config, "pinging"))
                .hasMessageContaining("credentials");
        assertThat(MongoErrors.describe(command(2, "BadValue"), config, "reading")).hasMessageContaining("BadValue (2)");
        assertThat(MongoErrors.describe(new com.mongodb.MongoException("odd"), config, "reading")).hasMessageContaining("odd");
        assertThat(MongoErrors.describe(new IllegalStateException("bug"), config, "reading")).hasMessageContaining("bug");
        SourceException already = new SourceException("as is");
        assertThat(MongoErrors.describe(already, config, "reading")).isSameAs(already);
    }

    private static MongoCommandException command(int code, String name) {
        return new MongoCommandException(BsonDocument.parse("{ok: 0, code: " + code + ", codeName: '" + name
                + "', errmsg: 'first line\\nsecond line'}"), new ServerAddress("db1"));
    }
}
