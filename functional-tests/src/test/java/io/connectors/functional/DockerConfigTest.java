package io.connectors.functional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.connectors.runtime.SourceRegistry;
import io.connectors.runtime.config.ConfigLoader;
import io.connectors.runtime.config.ConnectorConfig;
import io.connectors.runtime.config.ConnectorsConfig;
import io.connectors.runtime.daemon.Daemon;
import io.connectors.spi.DataSourceProvider;
import io.connectors.spi.config.ConfigField;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Docker stack's daemon configuration, docker/connectors.yml, loads with the runtime's loader against the real
 * source types, in the environment the stack gives it (the image's ENV and the compose service's environment, at
 * their defaults); and the files of the stack agree with each other. No Docker, no network.
 */
class DockerConfigTest {
    private static final Path ROOT = DockerFiles.root();
    private static final Path CONFIG = ROOT.resolve("docker/connectors.yml");
    private static final Map<String, Object> COMPOSE = DockerFiles.compose(ROOT.resolve("docker/compose.yml"));
    private static final List<DockerFiles.Instruction> DOCKERFILE = DockerFiles.dockerfile(ROOT.resolve("docker/Dockerfile"));
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*}");

    /** The daemon container's environment: the runtime stage's ENV, then the compose service's environment. */
    private static Map<String, String> daemonEnvironment() {
        Map<String, String> env = new HashMap<>(
                DockerFiles.env(DOCKERFILE, DOCKERFILE.get(DOCKERFILE.size() - 1).stage()));
        env.putAll(DockerFiles.environment(DockerFiles.service(COMPOSE, "connectors")));
        return env;
    }

    @Test
    void loadsAgainstTheRealSourceTypesInTheStacksEnvironment() {
        ConnectorsConfig config = ConfigLoader.load(CONFIG, daemonEnvironment(), SourceRegistry.load());

        assertThat(config.elasticsearch().hosts()).containsExactly(URI.create("http://elasticsearch:9200"));
        assertThat(config.daemon().http().enabled()).isTrue();
        assertThat(config.daemon().http().host()).isEqualTo("0.0.0.0");
        assertThat(config.daemon().http().port()).isEqualTo(8090);
        assertThat(config.network().allowedHosts()).containsExactlyInAnyOrder("mongodb", "postgresql");

        ConnectorConfig catalog = config.connector("catalog").orElseThrow();
        assertThat(catalog.type()).isEqualTo("mongodb");
        assertThat(catalog.realtime()).isTrue();
        assertThat(catalog.source().string("connection_string"))
                .isEqualTo(DockerFiles.environment(DockerFiles.service(COMPOSE, "connectors")).get("MONGODB_URI"));
        assertThat(catalog.source().list("collections")).containsExactly("products");

        ConnectorConfig shop = config.connector("shop").orElseThrow();
        assertThat(shop.type()).isEqualTo("postgresql");
        assertThat(shop.schedules()).containsOnlyKeys("full", "incremental");
        assertThat(shop.source().string("password")).isEqualTo("connectors-local-only");
        assertThat(shop.source().string("cursor_column")).isEqualTo("updated_at");

        // What `connectors run` and `config check` do next: a realtime: true connector's source must follow changes.
        assertThatNoException().isThrownBy(() -> Daemon.checkCapabilities(config).block());
    }

    @Test
    void imageEnvironmentOpensTheOperationsEndpointWhateverTheFileSays() {
        // The repository's config.yml leaves daemon.http.host at its default, 127.0.0.1; the image's ENV overrides it.
        Map<String, String> image = DockerFiles.env(DOCKERFILE, DOCKERFILE.get(DOCKERFILE.size() - 1).stage());
        ConnectorsConfig config = ConfigLoader.load(ROOT.resolve("config.yml"), image, SourceRegistry.load());
        assertThat(config.daemon().http().host()).isEqualTo("0.0.0.0");
        assertThat(config.daemon().http().port()).isEqualTo(Integer.parseInt(image.get("CONNECTORS_DAEMON_HTTP_PORT")));

        ConnectorsConfig withoutImage = ConfigLoader.load(ROOT.resolve("config.yml"), Map.of(), SourceRegistry.load());
        assertThat(withoutImage.daemon().http().host()).isEqualTo("127.0.0.1");
    }

    @Test
    @SuppressWarnings("unchecked")
    void secretsAreEnvironmentReferencesNotValues() {
        Map<String, Object> raw = new Yaml().load(DockerFiles.read(CONFIG));
        SourceRegistry registry = SourceRegistry.load();
        List<Map<String, Object>> connectors = (List<Map<String, Object>>) raw.get("connectors");
        assertThat(connectors).hasSize(2);
        for (Map<String, Object> connector : connectors) {
            DataSourceProvider provider = registry.find((String) connector.get("type")).orElseThrow();
            Map<String, Object> configuration = (Map<String, Object>) connector.get("configuration");
            for (ConfigField field : provider.configFields()) {
                if (field.sensitive() && configuration.containsKey(field.name())) {
                    assertThat(String.valueOf(configuration.get(field.name())))
                            .as("%s.configuration.%s is a secret: give it as ${VARIABLE}", connector.get("id"), field.name())
                            .matches(ENV_REFERENCE);
                }
            }
        }
        Map<String, Object> es = (Map<String, Object>) raw.get("elasticsearch");
        assertThat(es).doesNotContainKeys("password", "api_key");
    }

    @Test
    @SuppressWarnings("unchecked")
    void stackFilesAgree() {
        Map<String, String> image = DockerFiles.env(DOCKERFILE, DOCKERFILE.get(DOCKERFILE.size() - 1).stage());
        Map<String, Object> daemon = DockerFiles.service(COMPOSE, "connectors");

        // The daemon's file is mounted where the image reads it, and the published port is the endpoint's.
        assertThat((List<String>) daemon.get("volumes"))
                .contains("./connectors.yml:" + image.get("CONNECTORS_CONFIG") + ":ro");
        assertThat((List<String>) daemon.get("ports")).singleElement().asString()
                .endsWith(":" + image.get("CONNECTORS_DAEMON_HTTP_PORT"));
        assertThat((Map<String, Object>) daemon.get("build"))
                .containsEntry("context", "..").containsEntry("dockerfile", "docker/Dockerfile");
        Map<String, Object> dependsOn = (Map<String, Object>) daemon.get("depends_on");
        assertThat(dependsOn).containsOnlyKeys("elasticsearch", "mongodb", "mongodb-seed", "postgresql");
        assertThat(dependsOn.values()).allSatisfy(d -> assertThat(((Map<String, String>) d).get("condition"))
                .isIn("service_healthy", "service_completed_successfully"));
        for (String name : List.of("elasticsearch", "kibana", "mongodb", "postgresql")) {
            assertThat(DockerFiles.service(COMPOSE, name)).as(name + " has a health check").containsKey("healthcheck");
        }

        // Every file the stack mounts exists.
        for (Object service : ((Map<String, Object>) COMPOSE.get("services")).values()) {
            for (String volume : (List<String>) ((Map<String, Object>) service).getOrDefault("volumes", List.of())) {
                if (volume.startsWith("./")) {
                    assertThat(ROOT.resolve("docker").resolve(volume.substring(2, volume.indexOf(':')))).exists();
                }
            }
        }

        // Elasticsearch and Kibana are the version the tests run against.
        Matcher pom = Pattern.compile("<elasticsearch.version>([^<]+)</elasticsearch.version>")
                .matcher(DockerFiles.read(ROOT.resolve("pom.xml")));
        assertThat(pom.find()).isTrue();
        assertThat((String) DockerFiles.service(COMPOSE, "elasticsearch").get("image"))
                .isEqualTo("docker.elastic.co/elasticsearch/elasticsearch:" + pom.group(1));
        assertThat((String) DockerFiles.service(COMPOSE, "kibana").get("image"))
                .isEqualTo("docker.elastic.co/kibana/kibana:" + pom.group(1));
    }

    @Test
    void postgresqlSideMatchesTheConnector() {
        ConnectorsConfig config = ConfigLoader.load(CONFIG, daemonEnvironment(), SourceRegistry.load());
        ConnectorConfig shop = config.connector("shop").orElseThrow();
        Map<String, Object> postgresql = DockerFiles.service(COMPOSE, "postgresql");
        Map<String, String> env = DockerFiles.environment(postgresql);

        assertThat(shop.source().string("host")).isEqualTo("postgresql");
        assertThat(shop.source().string("database")).isEqualTo(env.get("POSTGRES_DB"));
        // The role the init script creates, with the password the daemon is given.
        assertThat(env.get("PG_PASSWORD")).isEqualTo(shop.source().string("password"));
        String roleScript = DockerFiles.read(ROOT.resolve("docker/postgresql/02-connectors-role.sh"));
        assertThat(roleScript).contains("CREATE ROLE " + shop.source().string("user") + " LOGIN PASSWORD :'password';")
                .contains("\\getenv password PG_PASSWORD");
        String seed = DockerFiles.read(ROOT.resolve("docker/postgresql/01-shop.sql"));
        for (String schema : shop.source().list("schemas")) {
            assertThat(seed).contains("CREATE SCHEMA " + schema + ";");
        }
        assertThat(DockerFiles.words(String.join(" ", stringList(postgresql.get("command")))))
                .containsSequence("-c", "wal_level=logical");
    }

    @Test
    void mongodbSideMatchesTheConnector() {
        ConnectorsConfig config = ConfigLoader.load(CONFIG, daemonEnvironment(), SourceRegistry.load());
        URI uri = URI.create(config.connector("catalog").orElseThrow().source().string("connection_string"));
        assertThat(uri.getScheme()).isEqualTo("mongodb");
        assertThat(uri.getHost()).isEqualTo("mongodb");
        assertThat(uri.getQuery()).isEqualTo("replicaSet=rs0");

        assertThat(stringList(DockerFiles.service(COMPOSE, "mongodb").get("command"))).containsSequence("--replSet", "rs0");
        String initiate = DockerFiles.read(ROOT.resolve("docker/mongodb/replica-set.js"));
        assertThat(initiate).contains("_id: 'rs0'", "host: 'mongodb:" + uri.getPort() + "'");
        assertThat(DockerFiles.read(ROOT.resolve("docker/mongodb/seed.js")))
                .contains("getSiblingDB('" + config.connector("catalog").orElseThrow().source().string("database") + "')")
                .contains("getCollection('products')");
    }

    @SuppressWarnings("unchecked")
    private static List<String> stringList(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<String>) value;
    }
}
