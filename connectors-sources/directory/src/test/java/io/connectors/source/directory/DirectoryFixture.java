package io.connectors.source.directory;

import io.connectors.elasticsearch.local.FileTrees;
import io.connectors.testkit.corpus.DocumentCorpus;
import io.connectors.testkit.functional.FixtureSampling;
import io.connectors.testkit.functional.SourceFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The directory source's fixture for {@code make ftest} and {@code make bench}: a tree of UTF-8 text files
 * (Markdown, plain text, CSV, logs) of a few hundred bytes to about 6 KB, generated deterministically from their
 * number, at most 1000 entries per folder. A few names are non-ASCII (some outside the Basic Multilingual Plane, so
 * UTF-16 and UTF-8 order differ) and one file in 2,500 sits under a path longer than 512 bytes, so the runtime
 * replaces its id with a hash.
 *
 * <p>The digest of a document is the SHA-256 of its text: of the file as the source decodes it (UTF-8 without a
 * byte-order mark), and of the indexed {@code content}. A file that is not UTF-8 text within 1 MiB goes to content
 * extraction: its digest is that extraction's outcome, which must be {@code extracted}; for the corpus's binary
 * documents ({@link #mixBinaryDocuments}), that the extracted text holds the document's phrase.
 */
public final class DirectoryFixture implements SourceFixture {
    static final int FILES_PER_FOLDER = 800;
    static final int FOLDERS_PER_PART = 100;
    /** The source's default {@code max_content_size}: larger files get no content. */
    static final long MAX_CONTENT_SIZE = 1024 * 1024;
    static final String NO_CONTENT = "no-content";

    private static final long SEED = 0x5EED_F17E5L;
    private static final String[] EXTENSIONS = {"md", "txt", "csv", "log", "md", "txt"};
    private static final String[] STEMS = {"report", "notes", "minutes", "design", "changelog", "summary", "draft",
        "invoice", "readme", "plan", "review", "memo", "export", "journal", "runbook", "faq"};
    private static final String[] UNICODE_STEMS = {"café-menu", "naïve-bayes", "Zürich-notes", "東京-report",
        "ñandú", "résumé", "Ελληνικά", "𝄞-score", "📄-inbox", "Ωmega"};
    private static final String LONG_FOLDER = "a-folder-whose-name-is-deliberately-long-".repeat(6);
    private static final String[] WORDS = ("the of and to in is that for it as was with be by on not he this are or his"
            + " from at which but have an they you were her she there been one all we their has would when if so no"
            + " more will can time only other new some could these two may first then do any like my now over such our"
            + " man me even most made after also did many before must through back years where much your way well down"
            + " should because each just those people how too little state good very make world still own see men work"
            + " long get here between both life being under never day same another know while last might us great old"
            + " year off come since against go came right used take three index cluster shard replica document mapping"
            + " query bulk request response latency throughput connector source sync cursor pipeline schema field"
            + " backpressure scheduler daemon elasticsearch reactor buffer batch retry timeout snapshot replica"
            + " café naïve Zürich façade déjà-vu 東京 データ ñandú Ωmega 𝄞").split(" ");

    /** With binary documents mixed in: one document in this many is one from the corpus. */
    static final int BINARY_SHARE = 50;
    /** Where the binary documents go, below the root. */
    static final String BINARY_FOLDER = "binary";

    private Path root;
    private Path zoo;
    private boolean mixBinary;
    private ForkJoinPool pool;
    private int loaded;
    private int next;
    private BitSet live = new BitSet();
    private final Map<Integer, Integer> revisions = new HashMap<>();
    private int rounds;

    public DirectoryFixture() {
    }

    @Override
    public String type() {
        return DirectoryDataSourceProvider.TYPE;
    }

    @Override
    public void start(Path workDir) throws IOException {
        root = Files.createDirectories(workDir.resolve("files")).toAbsolutePath();
        zoo = workDir.resolve("zoo").toAbsolutePath();
        // File creation and reads are system-call bound; more threads than cores still pay off.
        pool = new ForkJoinPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public void mixBinaryDocuments(boolean mix) {
        this.mixBinary = mix;
    }

    /**
     * Writes {@code count} documents: text files, and with {@link #mixBinaryDocuments} whole sets of the test corpus's
     * 17 formats in {@value #BINARY_FOLDER}/ for about one document in {@value #BINARY_SHARE} (never mutated).
     */
    @Override
    public void load(int documents) throws Exception {
        if (documents < 1) {
            throw new IllegalArgumentException("count must be at least 1, got " + documents);
        }
        FileTrees.delete(root);
        Files.createDirectories(root);
        int sets = mixBinary ? documents / BINARY_SHARE / DocumentCorpus.CONTENT_TYPES.size() : 0;
        for (int set = 0; set < sets; set++) {
            DocumentCorpus.writeFormats(root.resolve(BINARY_FOLDER).resolve(String.format(Locale.ROOT, "set-%04d", set)),
                    binaryTag(set));
        }
        int count = documents - sets * DocumentCorpus.CONTENT_TYPES.size();
        loaded = count;
        next = count;
        live = new BitSet(count);
        live.set(0, count);
        revisions.clear();
        int folders = folders();
        inPool(() -> IntStream.range(0, folders).parallel().forEach(folder -> {
            int from = folder * FILES_PER_FOLDER;
            int to = Math.min(count, from + FILES_PER_FOLDER);
            Set<Path> made = new HashSet<>();
            for (int i = from; i < to; i++) {
                write(i, made);
            }
        }));
    }

    @Override
    public Map<String, Object> connectorConfiguration() {
        return Map.of("path", root.toString());
    }

    @Override
    public TypeZoo loadTypeZoo() throws IOException {
        return DirectoryTypeZoo.load(zoo);
    }

    @Override
    public Mutation mutate(int adds, int updates, int deletes) throws IOException {
        if (updates + deletes > live.cardinality()) {
            throw new IllegalArgumentException("cannot update " + updates + " and delete " + deletes + " of "
                    + live.cardinality() + " files");
        }
        SplittableRandom random = new SplittableRandom(SEED + ++rounds);
        Set<Integer> chosen = new HashSet<>();
        List<Integer> toUpdate = FixtureSampling.pick(random, updates, next, live, chosen);
        List<Integer> toDelete = FixtureSampling.pick(random, deletes, next, live, chosen);
        List<String> updated = new ArrayList<>(updates);
        for (int i : toUpdate) {
            Path file = root.resolve(path(i));
            FileTime before = Files.getLastModifiedTime(file);
            revisions.merge(i, 1, Integer::sum);
            write(i);
            // A real edit: the modification time moves forward even when the clock's granularity is coarse.
            if (Files.getLastModifiedTime(file).compareTo(before) <= 0) {
                Files.setLastModifiedTime(file, FileTime.fromMillis(before.toMillis() + 1000));
            }
            updated.add(path(i));
        }
        List<String> deleted = new ArrayList<>(deletes);
        for (int i : toDelete) {
            Files.delete(root.resolve(path(i)));
            live.clear(i);
            deleted.add(path(i));
        }
        List<String> added = new ArrayList<>(adds);
        for (int n = 0; n < adds; n++) {
            int i = next++;
            write(i);
            live.set(i);
            added.add(path(i));
        }
        return new Mutation(added, updated, deleted);
    }

    @Override
    public Iterator<Truth> groundTruth() throws IOException {
        return new SortedWalk(root, pool);
    }

    @Override
    public String digestOfIndexed(Map<String, Object> source) {
        Object content = source.get("content");
        String path = String.valueOf(source.get("path"));
        if (path.startsWith(BINARY_FOLDER + "/")) {
            String phrase = binaryPhrase(path);
            return content != null && content.toString().replaceAll("\\s+", " ").contains(phrase)
                    ? binaryDigest(phrase) : "text extracted without the phrase '" + phrase + "'";
        }
        if (source.get("content_metadata") instanceof Map<?, ?> extraction) {
            return extracted(String.valueOf(extraction.get("outcome")));
        }
        return content == null ? NO_CONTENT : sha256(content.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The digest of a file that went through content extraction with this outcome. */
    static String extracted(String outcome) {
        return "content extraction: " + outcome;
    }

    static String binaryTag(int set) {
        return String.format(Locale.ROOT, "s%04d", set);
    }

    /** The phrase the corpus file at {@code path} ({@code binary/set-0003/s0003.docx}) holds. */
    static String binaryPhrase(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        String tag = name.substring(0, name.indexOf('.'));
        String format = name.substring(name.indexOf('.') + 1);
        return switch (format) {
            case "doc" -> DocumentCorpus.DOC_PHRASE;
            case "msg" -> DocumentCorpus.MSG_PHRASE;
            default -> DocumentCorpus.phrase(tag, format);
        };
    }

    /** The digest of a binary document whose extracted text holds its phrase. */
    static String binaryDigest(String phrase) {
        return "extracted text with '" + phrase + "'";
    }

    @Override
    public List<String> digestFields() {
        return List.of("content", "path", "content_metadata");
    }

    @Override
    public long readAllWithOwnDriver() throws Exception {
        return inPool(() -> {
            try (var files = Files.walk(root)) {
                return files.parallel()
                        .filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))
                        .mapToLong(f -> {
                            textOf(read(f)); // decoded as the source decodes it, then discarded
                            return 1;
                        })
                        .sum();
            }
        });
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    // ---- the generated tree ------------------------------------------------------------------------------------

    private int folders() {
        return (loaded + FILES_PER_FOLDER - 1) / FILES_PER_FOLDER;
    }

    /** The relative path of file number {@code i}; files added by mutations go to existing folders, spread out. */
    String path(int i) {
        int folder = i < loaded ? i / FILES_PER_FOLDER : (int) ((i * 2_654_435_761L) % folders());
        String part = String.format(Locale.ROOT, "part-%03d", folder / FOLDERS_PER_PART);
        String dir = i % 2_500 == 7
                ? part + "/" + LONG_FOLDER + "/" + LONG_FOLDER
                : part + String.format(Locale.ROOT, "/folder-%05d", folder);
        String stem = i % 250 == 1 ? UNICODE_STEMS[(i / 250) % UNICODE_STEMS.length] : STEMS[mix(i, 0) % STEMS.length];
        return dir + "/" + stem + String.format(Locale.ROOT, "-%07d.", i) + EXTENSIONS[mix(i, 1) % EXTENSIONS.length];
    }

    private void write(int i) {
        write(i, new HashSet<>());
    }

    /** Writes file {@code i}; {@code made} holds the folders known to exist, so each is created once. */
    private void write(int i, Set<Path> made) {
        Path file = root.resolve(path(i));
        try {
            if (made.add(file.getParent())) {
                Files.createDirectories(file.getParent());
            }
            Files.write(file, content(i, revisions.getOrDefault(i, 0)).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Text of file {@code i} at {@code revision}: deterministic, log-uniform in size from 300 bytes to about 6 KB. */
    static String content(int i, int revision) {
        SplittableRandom random = new SplittableRandom(SEED ^ (i * 0x9E37_79B9_7F4A_7C15L) ^ (revision * 0xBF58_476D_1CE4_E5B9L));
        int target = (int) (300 * Math.pow(2, random.nextDouble() * 4.3));
        String extension = EXTENSIONS[mix(i, 1) % EXTENSIONS.length];
        StringBuilder text = new StringBuilder(target + 200);
        switch (extension) {
            case "md" -> {
                text.append("# ").append(capitalized(sentence(random, 3, 7))).append("\n\n")
                        .append("_Document ").append(i).append(", revision ").append(revision).append("_\n\n");
                while (text.length() < target) {
                    if (random.nextInt(4) == 0) {
                        text.append("## ").append(capitalized(sentence(random, 2, 5))).append("\n\n");
                    }
                    if (random.nextInt(3) == 0) {
                        for (int b = 1 + random.nextInt(4); b > 0; b--) {
                            text.append("- ").append(sentence(random, 3, 9)).append('\n');
                        }
                        text.append('\n');
                    }
                    paragraph(random, text).append("\n\n");
                }
            }
            case "csv" -> {
                text.append("id,revision,name,quantity,price,comment\n");
                for (int row = 0; text.length() < target; row++) {
                    text.append(i).append('-').append(row).append(',').append(revision).append(',')
                            .append(word(random)).append(',').append(random.nextInt(1000)).append(',')
                            .append(random.nextInt(100_000) / 100.0).append(",\"").append(sentence(random, 2, 8))
                            .append("\"\n");
                }
            }
            case "log" -> {
                long time = 1_700_000_000L + i * 60L + revision * 7L;
                String[] levels = {"INFO", "INFO", "INFO", "WARN", "DEBUG", "ERROR"};
                text.append("# document ").append(i).append(" revision ").append(revision).append('\n');
                while (text.length() < target) {
                    time += random.nextInt(30);
                    text.append(java.time.Instant.ofEpochSecond(time)).append(' ')
                            .append(levels[random.nextInt(levels.length)]).append(" [worker-").append(random.nextInt(8))
                            .append("] ").append(sentence(random, 4, 14)).append('\n');
                }
            }
            default -> {
                text.append("Document ").append(i).append(", revision ").append(revision).append(".\n\n");
                while (text.length() < target) {
                    paragraph(random, text).append("\n\n");
                }
            }
        }
        return text.toString();
    }

    private static StringBuilder paragraph(SplittableRandom random, StringBuilder text) {
        for (int s = 2 + random.nextInt(5); s > 0; s--) {
            text.append(capitalized(sentence(random, 5, 18))).append(random.nextInt(8) == 0 ? "? " : ". ");
        }
        text.setLength(text.length() - 1);
        return text;
    }

    private static String sentence(SplittableRandom random, int min, int max) {
        StringBuilder s = new StringBuilder();
        for (int w = min + random.nextInt(max - min + 1); w > 0; w--) {
            s.append(word(random));
            if (w > 1) {
                s.append(random.nextInt(12) == 0 ? ", " : " ");
            }
        }
        return s.toString();
    }

    private static String word(SplittableRandom random) {
        // Common words far more often than rare ones, as in real text.
        double r = random.nextDouble();
        return WORDS[(int) (r * r * WORDS.length)];
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    private static int mix(int i, int salt) {
        long z = (i + 0x9E37_79B9L * (salt + 1)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 31)) * 0x94D0_49BB_1331_11EBL;
        return (int) ((z ^ (z >>> 29)) & Integer.MAX_VALUE);
    }

    // ---- ground truth ------------------------------------------------------------------------------------------

    /** The digest of a file's bytes, as {@link #digestOfIndexed} computes it from what the source indexed. */
    static String digestOfFile(byte[] bytes) {
        String text = bytes.length > MAX_CONTENT_SIZE ? null : textOf(bytes);
        // What is not UTF-8 text within max_content_size goes to content extraction, which must give it text.
        return text == null ? extracted("extracted") : sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The source's rule, written independently of its code (an oracle that copied {@code FileExtractor.decode} would
     * share its bugs): valid UTF-8 per RFC 3629, checked byte by byte (no overlong form, no surrogate, nothing past
     * U+10FFFF, no truncated sequence) and with no NUL byte; a leading byte-order mark (EF BB BF) dropped; else no text.
     */
    static String textOf(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            int length;
            int min;
            if (b == 0) {
                return null;
            } else if (b < 0x80) {
                i++;
                continue;
            } else if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                min = 0x800;
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                min = 0x10000;
            } else {
                return null;
            }
            if (i + length > bytes.length) {
                return null;
            }
            int cp = b & (0xFF >> (length + 1));
            for (int k = 1; k < length; k++) {
                int c = bytes[i + k] & 0xFF;
                if ((c & 0xC0) != 0x80) {
                    return null;
                }
                cp = (cp << 6) | (c & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return null;
            }
            i += length;
        }
        boolean bom = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF;
        return bom ? new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8) : new String(bytes, StandardCharsets.UTF_8);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every regular file below a root with its digest, in ascending order of relative path as unsigned UTF-8 bytes.
     * Entries of a folder are sorted by name, with {@code /} appended to folder names: a folder's files then sort
     * exactly where their full paths do ({@code a-b/x} before {@code a/x}, as {@code -} is below {@code /}). The files
     * of a folder are read and hashed in parallel when the walk enters it; memory holds one folder per level.
     */
    private static final class SortedWalk implements Iterator<Truth> {
        private record Entry(String name, byte[] key, boolean folder, String digest) {
        }

        private record Level(String prefix, Path dir, Iterator<Entry> entries) {
        }

        private final ForkJoinPool pool;
        private final Deque<Level> stack = new ArrayDeque<>();
        private Truth nextTruth;

        SortedWalk(Path root, ForkJoinPool pool) throws IOException {
            this.pool = pool;
            stack.push(new Level("", root, list("", root).iterator()));
        }

        @Override
        public boolean hasNext() {
            while (nextTruth == null && !stack.isEmpty()) {
                Level level = stack.peek();
                if (!level.entries().hasNext()) {
                    stack.pop();
                    continue;
                }
                Entry entry = level.entries().next();
                if (entry.folder()) {
                    Path dir = level.dir().resolve(entry.name());
                    try {
                        String prefix = level.prefix() + entry.name() + "/";
                        stack.push(new Level(prefix, dir, list(prefix, dir).iterator()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                } else {
                    nextTruth = new Truth(level.prefix() + entry.name(), entry.digest());
                }
            }
            return nextTruth != null;
        }

        @Override
        public Truth next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Truth t = nextTruth;
            nextTruth = null;
            return t;
        }

        /** The entries of {@code dir}, whose path relative to the root is {@code prefix}. */
        private List<Entry> list(String prefix, Path dir) throws IOException {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                stream.forEach(children::add);
            }
            List<Entry> entries = inPool(pool, () -> children.parallelStream().map(child -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    String name = child.getFileName().toString();
                    if (a.isDirectory()) {
                        return new Entry(name, (name + "/").getBytes(StandardCharsets.UTF_8), true, null);
                    }
                    // Symbolic links and special files are not documents (follow_symlinks is off by default).
                    if (!a.isRegularFile()) {
                        return null;
                    }
                    String relative = prefix + name;
                    String digest = relative.startsWith(BINARY_FOLDER + "/")
                            ? binaryDigest(binaryPhrase(relative)) : digestOfFile(read(child));
                    return new Entry(name, name.getBytes(StandardCharsets.UTF_8), false, digest);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).filter(e -> e != null).sorted((x, y) -> Arrays.compareUnsigned(x.key(), y.key())).toList());
            return entries;
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T run() throws Exception;
    }

    private void inPool(Runnable work) throws Exception {
        inPool(pool, () -> {
            work.run();
            return null;
        });
    }

    private <T> T inPool(Work<T> work) throws Exception {
        return inPool(pool, work);
    }

    /** Runs {@code work} in {@code pool}, so its parallel streams use the pool's threads rather than the common pool. */
    private static <T> T inPool(ForkJoinPool pool, Work<T> work) throws IOException {
        try {
            return pool.submit(() -> work.run()).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        }
    }
}
