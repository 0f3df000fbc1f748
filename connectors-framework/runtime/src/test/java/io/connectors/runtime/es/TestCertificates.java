package io.connectors.runtime.es;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * A throwaway CA and server certificates signed by it, made with the JDK's {@code keytool} (Netty's
 * {@code SelfSignedCertificate} needs BouncyCastle or JDK internals that JDK 17 no longer exports).
 */
final class TestCertificates {

    private static final String PASSWORD = "changeit";

    private final Path dir;
    private final Path caPem;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caPem = dir.resolve("ca.pem");
    }

    /** Creates the CA in {@code dir}. */
    static TestCertificates createCa(Path dir) throws IOException, InterruptedException {
        TestCertificates certs = new TestCertificates(dir);
        certs.keytool("-genkeypair", "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-alias", "ca", "-dname", "CN=Connectors Test CA", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-ext", "bc:c=ca:true", "-ext", "ku:c=keyCertSign,cRLSign");
        certs.keytool("-exportcert", "-rfc", "-keystore", "ca.p12", "-storepass", PASSWORD, "-alias", "ca",
                "-file", "ca.pem");
        return certs;
    }

    /** The CA certificate as PEM: what {@code caFile} points at. */
    Path caPem() {
        return caPem;
    }

    /**
     * A server key and certificate signed by the CA, valid for the given subject alternative names
     * (e.g. {@code ip:127.0.0.1,dns:localhost}).
     */
    KeyManagerFactory serverKeys(String name, String subjectAltNames)
            throws IOException, InterruptedException, GeneralSecurityException {
        String keystore = name + ".p12";
        keytool("-genkeypair", "-keystore", keystore, "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-alias", "server", "-dname", "CN=" + name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2");
        keytool("-certreq", "-keystore", keystore, "-storepass", PASSWORD, "-alias", "server", "-file", name + ".csr");
        keytool("-gencert", "-rfc", "-keystore", "ca.p12", "-storepass", PASSWORD, "-alias", "ca",
                "-infile", name + ".csr", "-outfile", name + ".pem", "-validity", "2",
                "-ext", "san=" + subjectAltNames, "-ext", "eku=serverAuth", "-ext", "ku=digitalSignature");
        // Key plus the CA-signed chain, assembled here rather than with two more keytool runs.
        KeyStore generated = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(keystore))) {
            generated.load(in, PASSWORD.toCharArray());
        }
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        Certificate signed;
        Certificate ca;
        try (InputStream serverPem = Files.newInputStream(dir.resolve(name + ".pem"));
             InputStream caIn = Files.newInputStream(caPem)) {
            signed = x509.generateCertificate(serverPem);
            ca = x509.generateCertificate(caIn);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", generated.getKey("server", PASSWORD.toCharArray()), PASSWORD.toCharArray(),
                new Certificate[] {signed, ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD.toCharArray());
        return kmf;
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // keytool is a short-lived JVM: start it cheaply.
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
