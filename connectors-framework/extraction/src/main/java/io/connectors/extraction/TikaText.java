package io.connectors.extraction;

import io.connectors.extraction.Extraction.Outcome;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.WriteLimitReachedException;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Message;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.Office;
import org.apache.tika.metadata.PagedText;
import org.apache.tika.metadata.Property;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.ocr.TesseractOCRConfig;
import org.apache.tika.sax.BodyContentHandler;
import org.apache.tika.sax.WriteOutContentHandler;

/**
 * Text and metadata of one file with Apache Tika's auto-detecting parser, embedded documents included (the
 * attachments of an e-mail, the pictures' captions of a presentation). Runs inside a parser process
 * ({@link WorkerMain}); nothing here protects the caller from a parser that loops or exhausts memory.
 * Not thread-safe per call, but one instance serves any number of calls in turn.
 */
final class TikaText {
    private static final Pattern BLANK_LINES = Pattern.compile("\\n[ \\t\\x0B\\f\\r]*(?:\\n[ \\t\\x0B\\f\\r]*){2,}");
    private static final Pattern TRAILING_SPACE = Pattern.compile("[ \\t\\x0B\\f\\r]+\\n");

    private final AutoDetectParser parser = new AutoDetectParser();
    private final int maxCharacters;

    TikaText(int maxCharacters) {
        this.maxCharacters = maxCharacters;
    }

    Extraction extract(Path file, String name, String mimeType) {
        Metadata metadata = new Metadata();
        if (!name.isEmpty()) {
            metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, name);
        }
        if (!mimeType.isEmpty() && !MediaType.OCTET_STREAM.toString().equals(mimeType)) {
            metadata.set(Metadata.CONTENT_TYPE, mimeType);
        }
        WriteOutContentHandler text = new WriteOutContentHandler(maxCharacters);
        ParseContext context = new ParseContext();
        // Embedded documents are parsed by the same parser, their text going into the same handler.
        context.set(Parser.class, parser);
        TesseractOCRConfig noOcr = new TesseractOCRConfig();
        noOcr.setSkipOcr(true);
        context.set(TesseractOCRConfig.class, noOcr);
        String bomb = zipBomb(file);
        if (bomb != null) {
            return Extraction.failed(Outcome.ZIP_BOMB, bomb);
        }
        boolean truncated = false;
        try (TikaInputStream in = TikaInputStream.get(file, metadata)) {
            parser.parse(in, new BodyContentHandler(text), metadata, context);
        } catch (Throwable e) { // NOPMD: a parser may throw anything; only this document fails
            if (WriteLimitReachedException.isWriteLimitReached(e)) {
                truncated = true;
            } else {
                return failure(e);
            }
        }
        String content = tidy(text.toString());
        Map<String, Object> kept = metadata(metadata);
        if (!kept.containsKey("language")) {
            String guessed = LanguageGuess.of(content);
            if (guessed != null) {
                kept.put("language", guessed);
            }
        }
        return new Extraction(truncated ? Outcome.TRUNCATED : Outcome.EXTRACTED, content, kept,
                truncated ? "text longer than " + maxCharacters + " characters: the rest is left out" : null);
    }

    /** An entry that expands more than this many times its compressed size ... */
    static final long MAX_RATIO = 100;
    /** ... and beyond this size is a zip bomb; so are entries that expand beyond {@link #MAX_EXPANDED} together. */
    static final long MAX_ENTRY = 50L << 20;
    static final long MAX_EXPANDED = 2L << 30;

    /**
     * Why a zip-based file (OOXML, OpenDocument, EPUB, a zip) is a zip bomb, from the sizes its central directory
     * declares; {@code null} when it is not a zip or looks sane. Parsers check as they inflate too, but not all of
     * them and not before building a document tree: this refuses the common case before any parser runs. A file that
     * lies about its sizes is still stopped by the heap and time limits.
     */
    static String zipBomb(Path file) {
        byte[] magic = new byte[4];
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            if (in.readNBytes(magic, 0, 4) < 4 || magic[0] != 'P' || magic[1] != 'K' || magic[2] != 3 || magic[3] != 4) {
                return null;
            }
        } catch (IOException e) {
            return null; // the parser reports what is wrong with the file
        }
        long total = 0;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                java.util.zip.ZipEntry e = entries.nextElement();
                long size = e.getSize();
                long packed = Math.max(1, e.getCompressedSize());
                if (size > MAX_ENTRY && size / packed > MAX_RATIO) {
                    return "a compressed part expands beyond reason (zip bomb): " + e.getName() + " is " + packed
                            + " bytes that expand to " + size;
                }
                total += Math.max(0, size);
                if (total > MAX_EXPANDED) {
                    return "a compressed part expands beyond reason (zip bomb): its parts expand to more than "
                            + (MAX_EXPANDED >> 20) + " MB";
                }
            }
        } catch (IOException | RuntimeException e) {
            return null; // not a readable zip: the parser reports what is wrong with it
        }
        return null;
    }

    /** Blank lines and trailing spaces, which layout-heavy formats produce by the page, collapsed. */
    static String tidy(String text) {
        String t = TRAILING_SPACE.matcher(text).replaceAll("\n");
        return BLANK_LINES.matcher(t).replaceAll("\n\n").strip();
    }

    static Extraction failure(Throwable e) {
        if (e instanceof VirtualMachineError vm && !(e instanceof StackOverflowError)) {
            // Out of memory or worse: the process is not to be trusted any more.
            throw vm;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof EncryptedDocumentException || message.contains("password") && message.contains("encrypt")) {
                return Extraction.failed(Outcome.ENCRYPTED, "encrypted or password-protected: " + describe(t));
            }
            if (message.contains("zip bomb") || message.contains("zipbomb")) {
                return Extraction.failed(Outcome.ZIP_BOMB, "a compressed part expands beyond reason (zip bomb): "
                        + describe(t));
            }
            if (t instanceof NoSuchFileException || t instanceof AccessDeniedException) {
                return Extraction.failed(Outcome.UNREADABLE, "cannot read the file: " + describe(t));
            }
        }
        return Extraction.failed(Outcome.PARSE_ERROR, "the parser failed: " + describe(rootCause(e)));
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && !(t instanceof IOException && t.getMessage() != null)) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        String type = t.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : type + ": " + message.strip();
    }

    /** The metadata worth indexing, under stable names. */
    static Map<String, Object> metadata(Metadata md) {
        Map<String, Object> out = new LinkedHashMap<>();
        put(out, "title", md, TikaCoreProperties.TITLE);
        put(out, "author", md, TikaCoreProperties.CREATOR);
        put(out, "language", md, TikaCoreProperties.LANGUAGE);
        String pages = first(md, PagedText.N_PAGES, Office.PAGE_COUNT, Office.SLIDE_COUNT);
        if (pages != null) {
            out.put("page_count", pages);
        }
        String type = md.get(Metadata.CONTENT_TYPE);
        if (type != null) {
            MediaType media = MediaType.parse(type);
            out.put("content_type", media == null ? type : media.getBaseType().toString());
            if (media != null && media.getParameters().containsKey("charset")) {
                out.put("encoding", media.getParameters().get("charset"));
            }
        }
        put(out, "created", md, TikaCoreProperties.CREATED);
        put(out, "modified", md, TikaCoreProperties.MODIFIED);
        put(out, "from", md.getValues(Message.MESSAGE_FROM));
        put(out, "to", md.getValues(Message.MESSAGE_TO));
        return out;
    }

    private static String first(Metadata md, Property... properties) {
        for (Property p : properties) {
            String v = md.get(p);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    private static void put(Map<String, Object> out, String key, Metadata md, Property property) {
        put(out, key, md.getValues(property));
    }

    private static void put(Map<String, Object> out, String key, String[] values) {
        List<String> kept = new ArrayList<>();
        for (String v : values) {
            if (v != null && !v.isBlank() && !kept.contains(v.strip())) {
                kept.add(v.strip());
            }
        }
        if (!kept.isEmpty()) {
            out.put(key, kept.size() == 1 ? kept.get(0) : List.copyOf(kept));
        }
    }
}
