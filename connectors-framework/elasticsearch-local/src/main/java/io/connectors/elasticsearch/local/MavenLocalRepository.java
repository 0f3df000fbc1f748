package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/** Where Maven keeps downloaded artifacts on this machine, found the way Maven itself finds it. */
final class MavenLocalRepository {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    private MavenLocalRepository() {
    }

    /**
     * {@code -Dmaven.repo.local}, else {@code localRepository} in {@code ~/.m2/settings.xml}, else
     * {@code ~/.m2/repository}.
     */
    static Path resolve() {
        return resolve(System.getProperty("maven.repo.local"), Path.of(System.getProperty("user.home")),
                System.getenv());
    }

    static Path resolve(String repoLocalProperty, Path userHome, Map<String, String> env) {
        if (repoLocalProperty != null && !repoLocalProperty.isBlank()) {
            return absolute(expand(repoLocalProperty.trim(), userHome, env));
        }
        Path settings = userHome.resolve(".m2").resolve("settings.xml");
        return localRepositoryIn(settings)
                .map(value -> absolute(expand(value, userHome, env)))
                .orElseGet(() -> userHome.resolve(".m2").resolve("repository").toAbsolutePath().normalize());
    }

    /** The {@code <localRepository>} of a settings file, if the file exists and sets one. */
    static Optional<String> localRepositoryIn(Path settingsXml) {
        if (!Files.isRegularFile(settingsXml)) {
            return Optional.empty();
        }
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // settings.xml never needs a DTD; refusing one rules out entity expansion tricks.
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            DocumentBuilder builder = factory.newDocumentBuilder();
            // The default handler prints "[Fatal Error] ..." to stderr; the exception below says it better.
            builder.setErrorHandler(null);
            Element root = builder.parse(settingsXml.toFile()).getDocumentElement();
            NodeList children = root.getChildNodes();
            for (int i = 0; i < children.getLength(); i++) {
                if (children.item(i) instanceof Element element
                        && "localRepository".equals(localName(element))) {
                    String value = element.getTextContent().trim();
                    return value.isEmpty() ? Optional.empty() : Optional.of(value);
                }
            }
            return Optional.empty();
        } catch (IOException | SAXException | ParserConfigurationException e) {
            throw new ElasticsearchLaunchException("Cannot read the Maven settings file " + settingsXml + ": "
                    + e.getMessage(), e);
        }
    }

    /** Expands {@code ${user.home}} and {@code ${env.NAME}} as Maven does in settings; leaves anything else. */
    static String expand(String value, Path userHome, Map<String, String> env) {
        Matcher matcher = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String key = matcher.group(1);
            String replacement = null;
            if ("user.home".equals(key)) {
                replacement = userHome.toString();
            } else if (key.startsWith("env.")) {
                replacement = env.get(key.substring("env.".length()));
            }
            String text = replacement != null ? replacement : matcher.group();
            matcher.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static String localName(Element element) {
        return element.getLocalName() != null ? element.getLocalName() : element.getTagName();
    }

    private static Path absolute(String path) {
        return Path.of(path).toAbsolutePath().normalize();
    }
}
