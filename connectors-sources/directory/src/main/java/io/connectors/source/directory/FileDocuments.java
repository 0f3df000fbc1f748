package io.connectors.source.directory;

import io.connectors.source.directory.FileExtractor.Extracted;
import io.connectors.spi.SourceDocument;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Locale;

/**
 * What the document of a file is: its id and version, known from a {@code stat} alone when the walk lists it, and its
 * fields, known once {@link FileFetcher} has read it. Holds no state but the configuration; thread-safe.
 */
final class FileDocuments {
    /**
     * Text formats whose raw text is markup, not content: with content extraction they go to the parsers, which give
     * an HTML page's text without its tags and scripts, an e-mail's body without its headers, RTF without its codes.
     */
    static final java.util.Set<String> MARKUP = java.util.Set.of("text/html", "application/xhtml+xml", "application/rtf",
            "text/rtf", "message/rfc822", "image/svg+xml");

    private final DirectoryConfig config;
    private final FileExtractor extractor;
    private final boolean extractContent;
    private final String versionSuffix;

    /**
     * @param extractContent whether the connector extracts content: UTF-8 text files up to {@code max_content_size}
     *                       get their {@code content} here, the others a body for the runtime's extraction
     */
    FileDocuments(DirectoryConfig config, boolean extractContent) {
        this.config = config;
        this.extractContent = extractContent;
        this.extractor = new FileExtractor(extractContent, config.maxContentSize());
        // Changing what is extracted changes every document, so it changes every version.
        this.versionSuffix = extractContent ? ":text-" + config.maxContentSize() : ":no-text";
    }

    /** The document of a listed file, its fields left to {@link #build}: nothing is read. */
    SourceDocument deferred(String relativePath, BasicFileAttributes attributes) {
        // tag::deferred[]
        // The path is the id, and fetch stats the file again: the version it builds from is what it read.
        return SourceDocument.deferred(relativePath, version(attributes), null);
        // end::deferred[]
    }

    /**
     * Reads an open file and builds its document.
     *
     * @param attributes the file's attributes, read before it was opened, so a change during the read makes the
     *                   version older than the content, never newer: the next sync sees the change again
     */
    SourceDocument build(String relativePath, String name, BasicFileAttributes attributes, SeekableByteChannel channel,
            WalkReport report) throws IOException {
        Extracted extracted = extractor.extract(name, channel, attributes.size());
        Instant modified = attributes.lastModifiedTime().toInstant();
        // tag::document[]
        SourceDocument.Builder doc = SourceDocument.builder(relativePath)
                .version(version(attributes))
                .field("path", relativePath)
                .field("name", name)
                .field("extension", extension(name))
                .field("size", attributes.size())
                .field("mime_type", extracted.mimeType())
                .field("created", attributes.creationTime().toInstant())
                .field("modified", modified);
        if (extracted.content() != null && !(extractContent && MARKUP.contains(extracted.mimeType()))) {
            // The fast path: UTF-8 text, read here.
            doc.field("content", extracted.content());
        } else if (extractContent) {
            // Binary, another encoding, or larger than max_content_size: the runtime's parsers read it.
            Path file = config.root().resolve(relativePath);
            doc.body(new FileBody(file, attributes.size(), extracted.mimeType(), config.followSymlinks()));
        }
        return doc.build();
        // end::document[]
    }

    String version(BasicFileAttributes attributes) {
        return version(attributes.lastModifiedTime().toInstant(), attributes.size());
    }

    // tag::version[]
    /** Nanosecond modification time and size: a rewrite that keeps the time but not the size is still seen. */
    private String version(Instant modified, long size) {
        return String.format(Locale.ROOT, "%d.%09d:%d%s", modified.getEpochSecond(), modified.getNano(), size, versionSuffix);
    }
    // end::version[]

    /** Lower case, without the dot; empty for {@code Makefile}, {@code .bashrc} or {@code notes.}. */
    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot <= 0 || dot == name.length() - 1 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
