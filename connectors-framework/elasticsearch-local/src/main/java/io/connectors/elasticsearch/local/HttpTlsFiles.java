package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The files and settings behind a node's HTTP TLS: a CA and an HTTP certificate for {@code 127.0.0.1} and
 * {@code localhost} made by {@code bin/elasticsearch-certutil} (PEM), kept in {@code <config>/certs/}.
 */
final class HttpTlsFiles {
    static final String CERTS_DIR = "certs";
    static final String CA_FILE = "ca.crt";
    static final String CERT_FILE = "http.crt";
    static final String KEY_FILE = "http.key";
    static final String DAYS = "30";

    private HttpTlsFiles() {
    }

    /** The node settings that serve HTTP over TLS with the files in {@code <config>/certs/}. */
    static Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("xpack.security.http.ssl.enabled", "true");
        settings.put("xpack.security.http.ssl.key", CERTS_DIR + "/" + KEY_FILE);
        settings.put("xpack.security.http.ssl.certificate", CERTS_DIR + "/" + CERT_FILE);
        settings.put("xpack.security.http.ssl.certificate_authorities", CERTS_DIR + "/" + CA_FILE);
        return settings;
    }

    /** Copies the zip entry whose path ends with {@code /name} to {@code target}; fails when there is none. */
    static void extract(Path zip, String name, Path target) throws IOException {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            ZipEntry entry = file.stream().filter(e -> !e.isDirectory() && e.getName().endsWith("/" + name))
                    .findFirst()
                    .orElseThrow(() -> new ElasticsearchLaunchException(zip + " has no " + name));
            Files.createDirectories(target.getParent());
            try (InputStream in = file.getInputStream(entry)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** A TLS context that trusts exactly the certificates in the PEM file {@code caFile}. */
    static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new ElasticsearchLaunchException(caFile + " holds no certificate");
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new ElasticsearchLaunchException("Cannot read the CA certificate " + caFile + ": " + e, e);
        }
    }
}
