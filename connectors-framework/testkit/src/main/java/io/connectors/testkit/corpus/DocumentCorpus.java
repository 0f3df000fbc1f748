package io.connectors.testkit.corpus;

import java.awt.Rectangle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.hslf.usermodel.HSLFSlideShow;
import org.apache.poi.hssf.usermodel.HSSFWorkbook;
import org.apache.poi.sl.usermodel.SlideShow;
import org.apache.poi.sl.usermodel.TextBox;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;

/**
 * Real documents for content extraction tests, written with the format libraries themselves (PDFBox, POI) or by hand
 * for the formats that are plain XML in a zip (OpenDocument, EPUB) or text (RTF, HTML, e-mail). Each file carries a
 * phrase made of the tag it was written with, so a search for that phrase finds that file and no other. Two formats no
 * library here can write come from Apache Tika's own test documents (Apache License 2.0): a Word 97 {@code .doc} and an
 * Outlook {@code .msg}; their text is fixed.
 *
 * <p>{@link #writeHostile} writes the inputs a parser must survive: a truncated PDF, an encrypted PDF, a zip bomb, a
 * file larger than any sane limit (sparse: it costs no disk), and a document big enough to outlast a short time limit
 * or a small heap.
 */
public final class DocumentCorpus {
    private DocumentCorpus() {
    }

    /**
     * One written document.
     *
     * @param file        its path
     * @param format      its format, as the file extension
     * @param phrase      words from its body, in order
     * @param unique      whether the phrase is this file's alone (false for the two fixed samples)
     * @param contentType the MIME type extraction should find
     * @param title       its title, when the format carries one; else {@code null}
     */
    public record Sample(Path file, String format, String phrase, boolean unique, String contentType, String title) {
    }

    /**
     * A hostile input.
     *
     * @param file    its path
     * @param what    what it is, for messages
     * @param outcome the extraction outcome expected with the default limits ({@code too_large}, {@code encrypted},
     *                {@code zip_bomb}, {@code parse_error}); {@code null} for {@link #writeSlow}'s document, whose outcome
     *                depends on the limits a test sets
     */
    public record Hostile(Path file, String what, String outcome) {
    }

    /** The formats {@link #writeFormats} writes, by extension. */
    public static final Map<String, String> CONTENT_TYPES = contentTypes();

    private static Map<String, String> contentTypes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("pdf", "application/pdf");
        m.put("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        m.put("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        m.put("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation");
        m.put("xls", "application/vnd.ms-excel");
        m.put("ppt", "application/vnd.ms-powerpoint");
        m.put("doc", "application/msword");
        m.put("odt", "application/vnd.oasis.opendocument.text");
        m.put("ods", "application/vnd.oasis.opendocument.spreadsheet");
        m.put("odp", "application/vnd.oasis.opendocument.presentation");
        m.put("rtf", "application/rtf");
        m.put("html", "text/html");
        m.put("epub", "application/epub+zip");
        m.put("eml", "message/rfc822");
        m.put("msg", "application/vnd.ms-outlook");
        m.put("utf16.txt", "text/plain");
        m.put("latin1.txt", "text/plain");
        return Map.copyOf(m);
    }

    /** The phrase in the Word 97 sample ({@code testWORD.doc}). */
    public static final String DOC_PHRASE = "Sample Word Document";
    /** The phrase in the Outlook sample ({@code testMSG.msg}). */
    public static final String MSG_PHRASE = "Jukka Zitting";

    /** The phrase of the file of {@code format} written with {@code tag}. */
    public static String phrase(String tag, String format) {
        return "zephyr " + tag + " " + format.replace('.', ' ') + " marigold lantern";
    }

    /**
     * Writes one document of each format into {@code dir}, named {@code <tag>.<format>}.
     *
     * @param tag letters and digits: it makes the phrases and names unique
     */
    public static List<Sample> writeFormats(Path dir, String tag) throws IOException {
        if (!tag.matches("[A-Za-z0-9]+")) {
            throw new IllegalArgumentException("a tag is letters and digits: " + tag);
        }
        Files.createDirectories(dir);
        List<Sample> out = new ArrayList<>();
        String title = "Report " + tag;
        out.add(pdf(dir.resolve(tag + ".pdf"), phrase(tag, "pdf"), title, 1, null));
        out.add(docx(dir.resolve(tag + ".docx"), phrase(tag, "docx"), title));
        out.add(xlsx(dir.resolve(tag + ".xlsx"), phrase(tag, "xlsx"), new XSSFWorkbook(), "xlsx"));
        out.add(slides(dir.resolve(tag + ".pptx"), phrase(tag, "pptx"), new XMLSlideShow(), "pptx"));
        out.add(xlsx(dir.resolve(tag + ".xls"), phrase(tag, "xls"), new HSSFWorkbook(), "xls"));
        out.add(slides(dir.resolve(tag + ".ppt"), phrase(tag, "ppt"), new HSLFSlideShow(), "ppt"));
        out.add(copy("testWORD.doc", dir.resolve(tag + ".doc"), "doc", DOC_PHRASE));
        out.add(odf(dir.resolve(tag + ".odt"), "odt", phrase(tag, "odt"), title));
        out.add(odf(dir.resolve(tag + ".ods"), "ods", phrase(tag, "ods"), title));
        out.add(odf(dir.resolve(tag + ".odp"), "odp", phrase(tag, "odp"), title));
        out.add(rtf(dir.resolve(tag + ".rtf"), phrase(tag, "rtf"), title));
        out.add(html(dir.resolve(tag + ".html"), phrase(tag, "html"), title));
        out.add(epub(dir.resolve(tag + ".epub"), phrase(tag, "epub"), title));
        out.add(eml(dir.resolve(tag + ".eml"), phrase(tag, "eml"), title));
        out.add(copy("testMSG.msg", dir.resolve(tag + ".msg"), "msg", MSG_PHRASE));
        out.add(text(dir.resolve(tag + ".utf16.txt"), "utf16.txt", phrase(tag, "utf16 txt"), true));
        out.add(text(dir.resolve(tag + ".latin1.txt"), "latin1.txt", phrase(tag, "latin1 txt"), false));
        return out;
    }

    /**
     * Writes the hostile inputs into {@code dir}: {@code truncated.pdf}, {@code encrypted.pdf}, {@code zipbomb.docx}
     * (200 MB of XML in 200 KB) and {@code huge.pdf} ({@code hugeBytes}, sparse).
     */
    public static List<Hostile> writeHostile(Path dir, long hugeBytes) throws IOException {
        Files.createDirectories(dir);
        List<Hostile> out = new ArrayList<>();
        Path whole = dir.resolve("whole.tmp");
        pdf(whole, phrase("truncated", "pdf"), "Truncated", 40, null);
        byte[] bytes = Files.readAllBytes(whole);
        Files.delete(whole);
        Path truncated = dir.resolve("truncated.pdf");
        // The header and a few objects: no cross-reference table, no trailer, no root.
        Files.write(truncated, java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 600)));
        out.add(new Hostile(truncated, "a truncated PDF", "parse_error"));
        Path encrypted = dir.resolve("encrypted.pdf");
        pdf(encrypted, phrase("encrypted", "pdf"), "Encrypted", 1, "user-secret");
        out.add(new Hostile(encrypted, "an encrypted PDF", "encrypted"));
        Path bomb = dir.resolve("zipbomb.docx");
        zipBomb(bomb, 200L << 20);
        out.add(new Hostile(bomb, "a zip bomb DOCX (200 MB of XML in a small zip)", "zip_bomb"));
        Path huge = dir.resolve("huge.pdf");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(hugeBytes);
        }
        out.add(new Hostile(huge, "a " + (hugeBytes >> 20) + " MB file", "too_large"));
        return out;
    }

    /**
     * A well-formed DOCX of {@code paragraphs} paragraphs of varied words (about 60 bytes each), which takes a parser
     * long and a lot of memory at a large size: the stand-in for a file that makes a parser loop or exhaust memory.
     */
    public static Hostile writeSlow(Path file, int paragraphs) throws IOException {
        Files.createDirectories(file.getParent());
        Random random = new Random(42);
        String[] words = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
            "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"};
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            docxParts(zip);
            zip.putNextEntry(new ZipEntry("word/document.xml"));
            OutputStream out = zip;
            out.write(DOCX_HEAD.getBytes(StandardCharsets.UTF_8));
            StringBuilder p = new StringBuilder();
            for (int i = 0; i < paragraphs; i++) {
                p.setLength(0);
                p.append("<w:p><w:r><w:t>");
                for (int w = 0; w < 8; w++) {
                    p.append(words[random.nextInt(words.length)]).append(random.nextInt(1000)).append(' ');
                }
                p.append("</w:t></w:r></w:p>");
                out.write(p.toString().getBytes(StandardCharsets.UTF_8));
            }
            out.write(DOCX_TAIL.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return new Hostile(file, "a DOCX of " + paragraphs + " paragraphs", null);
    }

    // ------------------------------------------------------------------------------------------------ formats

    private static Sample pdf(Path file, String phrase, String title, int pages, String userPassword) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (int i = 0; i < pages; i++) {
                PDPage page = new PDPage();
                doc.addPage(page);
                try (PDPageContentStream text = new PDPageContentStream(doc, page)) {
                    text.beginText();
                    text.setFont(font, 12);
                    text.newLineAtOffset(72, 700);
                    text.showText(i == 0 ? phrase : "Page " + (i + 1) + " of the report, with more words to read.");
                    text.endText();
                }
            }
            PDDocumentInformation info = doc.getDocumentInformation();
            info.setTitle(title);
            info.setAuthor("Ada Lovelace");
            if (userPassword != null) {
                StandardProtectionPolicy policy = new StandardProtectionPolicy("owner-secret", userPassword,
                        new AccessPermission());
                policy.setEncryptionKeyLength(128);
                doc.protect(policy);
            }
            doc.save(file.toFile());
        }
        return new Sample(file, "pdf", phrase, true, CONTENT_TYPES.get("pdf"), title);
    }

    private static Sample docx(Path file, String phrase, String title) throws IOException {
        try (XWPFDocument doc = new XWPFDocument(); OutputStream out = Files.newOutputStream(file)) {
            doc.createParagraph().createRun().setText(phrase);
            doc.getProperties().getCoreProperties().setTitle(title);
            doc.getProperties().getCoreProperties().setCreator("Ada Lovelace");
            doc.write(out);
        }
        return new Sample(file, "docx", phrase, true, CONTENT_TYPES.get("docx"), title);
    }

    private static Sample xlsx(Path file, String phrase, Workbook workbook, String format) throws IOException {
        try (workbook; OutputStream out = Files.newOutputStream(file)) {
            var row = workbook.createSheet("Figures").createRow(0);
            row.createCell(0).setCellValue(phrase);
            row.createCell(1).setCellValue(42.5);
            workbook.write(out);
        }
        return new Sample(file, format, phrase, true, CONTENT_TYPES.get(format), null);
    }

    /** A presentation of one slide holding the phrase, in POI's OOXML ({@code pptx}) or binary ({@code ppt}) form. */
    private static Sample slides(Path file, String phrase, SlideShow<?, ?> slides, String format) throws IOException {
        try (slides; OutputStream out = Files.newOutputStream(file)) {
            TextBox<?, ?> box = slides.createSlide().createTextBox();
            box.setAnchor(new Rectangle(50, 50, 500, 100));
            box.setText(phrase);
            slides.write(out);
        }
        return new Sample(file, format, phrase, true, CONTENT_TYPES.get(format), null);
    }

    private static Sample copy(String resource, Path file, String format, String phrase) throws IOException {
        try (InputStream in = DocumentCorpus.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("test document " + resource + " is missing from the test kit");
            }
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return new Sample(file, format, phrase, false, CONTENT_TYPES.get(format), null);
    }

    private static final String OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";

    private static Sample odf(Path file, String format, String phrase, String title) throws IOException {
        String type = CONTENT_TYPES.get(format);
        String body = switch (format) {
            case "odt" -> "<office:text><text:p>" + phrase + "</text:p></office:text>";
            case "ods" -> "<office:spreadsheet><table:table table:name=\"Sheet1\"><table:table-row>"
                    + "<table:table-cell office:value-type=\"string\"><text:p>" + phrase + "</text:p></table:table-cell>"
                    + "</table:table-row></table:table></office:spreadsheet>";
            default -> "<office:presentation><draw:page draw:name=\"page1\"><draw:frame><draw:text-box><text:p>" + phrase
                    + "</text:p></draw:text-box></draw:frame></draw:page></office:presentation>";
        };
        String content = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"" + OFFICE
                + "\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
                + " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\""
                + " xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\" office:version=\"1.2\"><office:body>"
                + body + "</office:body></office:document-content>";
        String meta = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-meta xmlns:office=\"" + OFFICE
                + "\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" office:version=\"1.2\"><office:meta><dc:title>" + title
                + "</dc:title><dc:language>en</dc:language></office:meta></office:document-meta>";
        String manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest"
                + " xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">"
                + "<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"" + type + "\"/>"
                + "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>"
                + "<manifest:file-entry manifest:full-path=\"meta.xml\" manifest:media-type=\"text/xml\"/>"
                + "</manifest:manifest>";
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            stored(zip, "mimetype", type);
            deflated(zip, "META-INF/manifest.xml", manifest);
            deflated(zip, "content.xml", content);
            deflated(zip, "meta.xml", meta);
        }
        return new Sample(file, format, phrase, true, type, title);
    }

    private static Sample rtf(Path file, String phrase, String title) throws IOException {
        Files.writeString(file, "{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times New Roman;}}{\\info{\\title " + title
                + "}{\\author Ada Lovelace}}\\f0\\fs24 " + phrase + "\\par}\n", StandardCharsets.US_ASCII);
        return new Sample(file, "rtf", phrase, true, CONTENT_TYPES.get("rtf"), title);
    }

    private static Sample html(Path file, String phrase, String title) throws IOException {
        Files.writeString(file, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title
                + "</title><style>p { color: gray }</style><script>var hidden = 'not content';</script></head>"
                + "<body><h1>" + title + "</h1><p>" + phrase + "</p></body></html>\n", StandardCharsets.UTF_8);
        return new Sample(file, "html", phrase, true, CONTENT_TYPES.get("html"), title);
    }

    private static Sample epub(Path file, String phrase, String title) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            stored(zip, "mimetype", "application/epub+zip");
            deflated(zip, "META-INF/container.xml", "<?xml version=\"1.0\"?><container version=\"1.0\""
                    + " xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles><rootfile"
                    + " full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles></container>");
            deflated(zip, "OEBPS/content.opf", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><package"
                    + " xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\" unique-identifier=\"id\"><metadata"
                    + " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>" + title + "</dc:title><dc:identifier"
                    + " id=\"id\">urn:uuid:" + java.util.UUID.nameUUIDFromBytes(phrase.getBytes(StandardCharsets.UTF_8))
                    + "</dc:identifier><dc:language>en</dc:language><dc:creator>Ada Lovelace</dc:creator></metadata>"
                    + "<manifest><item id=\"c1\" href=\"chapter1.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>"
                    + "<spine><itemref idref=\"c1\"/></spine></package>");
            deflated(zip, "OEBPS/chapter1.xhtml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><html"
                    + " xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>" + title + "</title></head><body><p>" + phrase
                    + "</p></body></html>");
        }
        return new Sample(file, "epub", phrase, true, CONTENT_TYPES.get("epub"), title);
    }

    private static Sample eml(Path file, String phrase, String title) throws IOException {
        Files.writeString(file, "From: Ada Lovelace <ada@example.com>\r\nTo: Charles Babbage <charles@example.com>\r\n"
                + "Subject: " + title + "\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\nMessage-ID: <" + title.replace(' ', '.')
                + "@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + phrase
                + "\r\n", StandardCharsets.UTF_8);
        return new Sample(file, "eml", phrase, true, CONTENT_TYPES.get("eml"), title);
    }

    private static Sample text(Path file, String format, String phrase, boolean utf16) throws IOException {
        if (utf16) {
            String body = "Notes for the meeting.\n" + phrase + "\nEnd of notes.\n";
            byte[] text = body.getBytes(StandardCharsets.UTF_16LE);
            byte[] withBom = new byte[text.length + 2];
            withBom[0] = (byte) 0xFF;
            withBom[1] = (byte) 0xFE;
            System.arraycopy(text, 0, withBom, 2, text.length);
            Files.write(file, withBom);
        } else {
            // Enough French for an encoding detector to be sure: accented letters that are not UTF-8.
            String body = "Le rapport de l'été dernier a été présenté à l'équipe. Les élèves étaient très contents,"
                    + " et le directeur a remercié chacun pour la qualité du travail réalisé pendant l'année.\n"
                    + phrase + "\nÀ bientôt, et très bonne fin de journée à tous.\n";
            Files.write(file, body.getBytes(StandardCharsets.ISO_8859_1));
        }
        return new Sample(file, format, phrase, true, "text/plain", null);
    }

    // ------------------------------------------------------------------------------------------------ zips

    private static final String DOCX_HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document"
            + " xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>";
    private static final String DOCX_TAIL = "</w:body></w:document>";

    private static void docxParts(ZipOutputStream zip) throws IOException {
        deflated(zip, "[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types"
                + " xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\""
                + " ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\""
                + " ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\""
                + "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>");
        deflated(zip, "_rels/.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships"
                + " xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\""
                + " Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\""
                + " Target=\"word/document.xml\"/></Relationships>");
    }

    private static void zipBomb(Path file, long xmlBytes) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.setLevel(9);
            docxParts(zip);
            zip.putNextEntry(new ZipEntry("word/document.xml"));
            zip.write(DOCX_HEAD.getBytes(StandardCharsets.UTF_8));
            zip.write("<w:p><w:r><w:t>".getBytes(StandardCharsets.UTF_8));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (long written = 0; written < xmlBytes; written += spaces.length) {
                zip.write(spaces);
            }
            zip.write(("</w:t></w:r></w:p>" + DOCX_TAIL).getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
    }

    private static void stored(ZipOutputStream zip, String name, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }

    private static void deflated(ZipOutputStream zip, String name, String text) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    /** The extension of a sample's format, lower case ({@code utf16.txt} for the UTF-16 text). */
    public static String format(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.indexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }
}
