package io.connectors.source.directory;

import io.connectors.elasticsearch.local.FileTrees;
import io.connectors.testkit.functional.SourceFixture.TypeZoo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The directory source's type zoo ({@link io.connectors.testkit.functional.SourceFixture#loadTypeZoo}): every kind of
 * file and name the source meets, in two folders. Its documents have one shape (path, name, size, dates, content...),
 * so no field can clash in type between folders; what varies is every value: empty, text in UTF-8 with and without
 * a byte-order mark, UTF-16, Latin-1, binary, a file past {@code max_content_size}, a line of 100,000 characters,
 * names with a newline, a tab, a backslash, {@code %}, quotes, emoji, both Unicode normal forms of one name, a name of
 * 255 bytes, no extension, many dots, a dotfile, a path past 512 bytes (its id is hashed), a modification time
 * before 1970 and one past 2100. The symbolic link is not followed, so it is not a document.
 */
final class DirectoryTypeZoo {

    private DirectoryTypeZoo() {
    }

    static TypeZoo load(Path root) throws IOException {
        FileTrees.delete(root);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("a/empty.txt", new byte[0]);
        files.put("a/utf8.md", "# Café\n\nnaïve 東京 𝄞 📄\n".getBytes(StandardCharsets.UTF_8));
        files.put("a/utf8-bom.txt", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                "with a byte-order mark".getBytes(StandardCharsets.UTF_8)));
        files.put("a/utf16.txt", "UTF-16 with its byte-order mark".getBytes(StandardCharsets.UTF_16));
        files.put("a/latin1.txt", "caf\u00e9 in Latin-1".getBytes(StandardCharsets.ISO_8859_1));
        files.put("a/binary.bin", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, (byte) 0xff, 0, 1, 2});
        files.put("a/huge.txt", "x".repeat((int) DirectoryFixture.MAX_CONTENT_SIZE + 1).getBytes(StandardCharsets.UTF_8));
        files.put("a/one-long-line.log", "y".repeat(100_000).getBytes(StandardCharsets.UTF_8));
        files.put("a/no-extension", "plain".getBytes(StandardCharsets.UTF_8));
        files.put("a/many.dots.in.the.name.tar.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0});
        files.put("a/.dotfile", "hidden".getBytes(StandardCharsets.UTF_8));
        files.put("b/new\nline.txt", "a newline in the name".getBytes(StandardCharsets.UTF_8));
        files.put("b/tab\there.txt", "a tab in the name".getBytes(StandardCharsets.UTF_8));
        files.put("b/back\\slash \"quotes\" 'and' %41 percent.txt", "odd characters".getBytes(StandardCharsets.UTF_8));
        files.put("b/emoji 😀 name.txt", "emoji".getBytes(StandardCharsets.UTF_8));
        files.put("b/" + Normalizer.normalize("résumé-nfc.txt", Normalizer.Form.NFC), "NFC".getBytes(StandardCharsets.UTF_8));
        files.put("b/" + Normalizer.normalize("résumé-nfc.txt", Normalizer.Form.NFD), "NFD".getBytes(StandardCharsets.UTF_8));
        files.put("b/" + "n".repeat(251) + ".txt", "a name of 255 bytes".getBytes(StandardCharsets.UTF_8));
        files.put("b/" + ("deep-folder-name-of-some-length-" .repeat(4) + "/").repeat(5) + "far.txt",
                "a path past 512 bytes".getBytes(StandardCharsets.UTF_8));
        files.put("b/old.txt", "before 1970".getBytes(StandardCharsets.UTF_8));
        files.put("b/future.txt", "after 2100".getBytes(StandardCharsets.UTF_8));
        files.put("b/1.txt", "a name that is a number".getBytes(StandardCharsets.UTF_8));
        files.put("b/true", "a name that is a boolean".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path file = root.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, f.getValue());
        }
        Files.setLastModifiedTime(root.resolve("b/old.txt"), FileTime.fromMillis(-86_400_000L * 365 * 10));
        Files.setLastModifiedTime(root.resolve("b/future.txt"), FileTime.fromMillis(4_200_000_000_000L));
        Files.createSymbolicLink(root.resolve("b/link-to-utf8.md"), root.resolve("a/utf8.md"));
        Files.createDirectories(root.resolve("b/empty-folder"));
        return new TypeZoo(Map.of("path", root.toString()), files.size(), Set.of(),
                files.size() + " files of every encoding and kind and with every odd name, in two folders (one shape of"
                        + " document: no field can clash in type)");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
