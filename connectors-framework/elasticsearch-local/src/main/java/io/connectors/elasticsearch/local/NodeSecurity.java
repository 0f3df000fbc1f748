package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A secured node's files: the superuser, HTTPS with a CA made on start, and file-realm roles and users, written with
 * the distribution's own tools ({@link NodeTools}) into the node's configuration folder.
 */
final class NodeSecurity {
    /** The built-in superuser, whose password comes from the keystore (the file realm refuses the name). */
    private static final String RESERVED_SUPERUSER = "elastic";

    /** A file-realm user besides the superuser. */
    record FileRealmUser(String name, String password, List<String> roles) {
    }

    private NodeSecurity() {
    }

    /** Makes {@code username} a superuser with {@code password}. */
    static void createSuperuser(NodeTools tools, String username, String password) {
        if (RESERVED_SUPERUSER.equals(username)) {
            tools.run("elasticsearch-keystore", List.of("add", "-x", "-f", "bootstrap.password"), password);
        } else {
            tools.run("elasticsearch-users", List.of("useradd", username, "-r", "superuser"),
                    password + "\n" + password + "\n");
        }
    }

    /**
     * Writes the CA and the node's HTTP certificate (with {@code httpTls}), {@code roles.yml} and the extra users
     * into the node's configuration folder. The tools run as the node's user, so they write into {@code tmp/}
     * (already the node's); the files the node reads are copied into {@code config/certs/} from there.
     *
     * @return the CA certificate clients must trust, or {@code null} without {@code httpTls}
     */
    static Path prepareFiles(NodeTools tools, Path dataDir, boolean httpTls, Map<String, String> roles,
                             List<FileRealmUser> users) throws IOException {
        Path caFile = null;
        Path config = dataDir.resolve("config");
        if (httpTls) {
            Path tmp = dataDir.resolve("tmp");
            Path caZip = tmp.resolve("http-ca.zip");
            Path certZip = tmp.resolve("http-cert.zip");
            Path caKey = tmp.resolve("http-ca.key");
            Path caCert = config.resolve(HttpTlsFiles.CERTS_DIR).resolve(HttpTlsFiles.CA_FILE);
            Files.deleteIfExists(caZip);
            Files.deleteIfExists(certZip);
            tools.run("elasticsearch-certutil", List.of("ca", "--pem", "--silent", "--days", HttpTlsFiles.DAYS,
                    "--out", caZip.toString()), "");
            HttpTlsFiles.extract(caZip, "ca.crt", caCert);
            HttpTlsFiles.extract(caZip, "ca.key", caKey);
            tools.run("elasticsearch-certutil", List.of("cert", "--pem", "--silent", "--days", HttpTlsFiles.DAYS,
                    "--ca-cert", caCert.toString(), "--ca-key", caKey.toString(), "--name", "http",
                    "--ip", "127.0.0.1", "--dns", "localhost", "--out", certZip.toString()), "");
            Path certs = config.resolve(HttpTlsFiles.CERTS_DIR);
            HttpTlsFiles.extract(certZip, HttpTlsFiles.CERT_FILE, certs.resolve(HttpTlsFiles.CERT_FILE));
            HttpTlsFiles.extract(certZip, HttpTlsFiles.KEY_FILE, certs.resolve(HttpTlsFiles.KEY_FILE));
            for (Path used : List.of(caZip, certZip, caKey)) {
                Files.deleteIfExists(used);
            }
            caFile = caCert;
        }
        if (!roles.isEmpty()) {
            Files.writeString(config.resolve("roles.yml"), NodeConfiguration.rolesYaml(roles));
        }
        for (FileRealmUser user : users) {
            List<String> args = new ArrayList<>(List.of("useradd", user.name()));
            if (!user.roles().isEmpty()) {
                args.addAll(List.of("-r", String.join(",", user.roles())));
            }
            tools.run("elasticsearch-users", args, user.password() + "\n" + user.password() + "\n");
        }
        return caFile;
    }
}
