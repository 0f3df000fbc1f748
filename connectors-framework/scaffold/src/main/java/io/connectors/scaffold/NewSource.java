package io.connectors.scaffold;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code make new-source NAME=<type>}: creates {@code connectors-sources/<type>/} from the template in
 * {@code connectors-framework/scaffold/template/} and adds its module line to {@code connectors-sources/pom.xml}.
 *
 * <p>The new module builds at once. Its provider, configuration and documentation are written; its data source and its
 * test fixtures are not, and say so: the contract suite fails, naming each method still to write and what it must do.
 *
 * <p>JDK only, in one file, so {@code make} runs it as a source-file program ({@code java NewSource.java}) with no build
 * first. Nothing is written when a check fails, and a failure while writing removes what was written.
 */
public final class NewSource {

    /** The template's placeholders; each is replaced in file contents and in paths. */
    static final String TYPE = "__type__";
    static final String TYPE_UPPER = "__TYPE__";
    static final String CLASS_PREFIX = "__Type__";
    static final String PACKAGE = "__package__";
    static final String ARTIFACT = "__artifact__";
    static final String DISPLAY = "__Display__";

    static final Path TEMPLATE = Path.of("connectors-framework", "scaffold", "template");
    static final Path SOURCES = Path.of("connectors-sources");

    private static final Pattern TYPE_NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final int MAX_TYPE_LENGTH = 40;
    private static final Pattern MODULES = Pattern.compile("(?s)(\\n?)([ \\t]*)<modules>(.*?)</modules>");
    private static final Pattern MODULE = Pattern.compile("<module>([^<]*)</module>");
    private static final Set<String> JAVA_KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "false", "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "null", "package", "private", "protected", "public", "return",
            "short", "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient",
            "true", "try", "void", "volatile", "while", "var", "yield", "record", "sealed", "permits", "_");

    /** A bad name or a repository that is not in the expected shape: the message says what is wrong. */
    static final class ScaffoldException extends RuntimeException {
        ScaffoldException(String message) {
            super(message);
        }
    }

    /**
     * The names derived from a source type.
     *
     * @param type        the source type ({@code rest_api}), also the module's folder name
     * @param classPrefix the prefix of the classes ({@code RestApi})
     * @param javaPackage the last package segment ({@code restapi})
     * @param artifact    the artifact id's suffix ({@code rest-api})
     * @param display     the display name ({@code Rest Api})
     */
    record Names(String type, String classPrefix, String javaPackage, String artifact, String display) {

        /** Checks {@code type} and derives the other names from it. */
        static Names of(String type) {
            if (type == null || type.isBlank()) {
                throw new ScaffoldException("NAME is missing: give the source type, e.g. make new-source NAME=confluence");
            }
            if (!TYPE_NAME.matcher(type).matches()) {
                throw new ScaffoldException("NAME '" + type + "' is not a source type: use lower-case letters, digits and"
                        + " '_', starting with a letter (it is the `type:` users write in config.yml), e.g. 'rest_api'");
            }
            if (type.length() > MAX_TYPE_LENGTH) {
                throw new ScaffoldException("NAME '" + type + "' is " + type.length() + " characters long; at most "
                        + MAX_TYPE_LENGTH);
            }
            if (type.contains("__") || type.endsWith("_")) {
                throw new ScaffoldException("NAME '" + type + "' has '_' doubled or at the end: separate words with one"
                        + " '_', e.g. 'rest_api'");
            }
            String javaPackage = type.replace("_", "");
            if (JAVA_KEYWORDS.contains(javaPackage)) {
                throw new ScaffoldException("NAME '" + type + "' would make the Java package io.connectors.source."
                        + javaPackage + ", but '" + javaPackage + "' is a Java keyword: choose another name");
            }
            StringBuilder prefix = new StringBuilder();
            StringBuilder display = new StringBuilder();
            for (String word : type.split("_")) {
                String capitalised = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                prefix.append(capitalised);
                display.append(display.length() == 0 ? "" : " ").append(capitalised);
            }
            return new Names(type, prefix.toString(), javaPackage, type.replace('_', '-'), display.toString());
        }

        String apply(String text) {
            return text.replace(CLASS_PREFIX, classPrefix)
                    .replace(PACKAGE, javaPackage)
                    .replace(ARTIFACT, artifact)
                    .replace(DISPLAY, display)
                    .replace(TYPE_UPPER, type.toUpperCase(Locale.ROOT))
                    .replace(TYPE, type);
        }
    }

    /**
     * What was created.
     *
     * @param names  the names derived from the type
     * @param module the new module's folder
     * @param files  the files written in it, relative to the repository root, sorted
     */
    record Result(Names names, Path module, List<Path> files) {
    }

    private NewSource() {
    }

    /**
     * Creates the module for source type {@code type} in the repository at {@code root}.
     *
     * @throws ScaffoldException when the name is refused, the module or type exists already, or the repository lacks
     *                           the template or {@code connectors-sources/pom.xml}; nothing is written then
     */
    static Result create(Path root, String type) {
        Names names = Names.of(type);
        Path template = root.resolve(TEMPLATE);
        Path sourcesPom = root.resolve(SOURCES).resolve("pom.xml");
        if (!Files.isDirectory(template)) {
            throw new ScaffoldException("no template at " + template + ": run this from the repository's root folder");
        }
        if (!Files.isRegularFile(sourcesPom)) {
            throw new ScaffoldException("no " + sourcesPom + ": run this from the repository's root folder");
        }
        Path module = root.resolve(SOURCES).resolve(names.type());
        if (Files.exists(module)) {
            throw new ScaffoldException(root.relativize(module) + " exists already: choose another NAME, or delete it"
                    + " first to start again");
        }
        String pom = read(sourcesPom);
        String updatedPom = withModule(pom, names.type());
        Optional<String> clash = existingType(root, names.type());
        if (clash.isPresent()) {
            throw new ScaffoldException("source type '" + names.type() + "' is declared already, in " + clash.get()
                    + ": choose another NAME");
        }

        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(module);
            for (Path file : templateFiles(template)) {
                Path relative = template.relativize(file);
                Path target = module.resolve(names.apply(relative.toString()));
                Files.createDirectories(target.getParent());
                Files.writeString(target, names.apply(read(file)), StandardCharsets.UTF_8);
                written.add(root.relativize(target));
            }
            Files.writeString(sourcesPom, updatedPom, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(module);
            throw e instanceof IOException io ? new UncheckedIOException("could not write " + module + ": "
                    + io.getMessage(), io) : (RuntimeException) e;
        }
        written.sort(null);
        return new Result(names, root.relativize(module), List.copyOf(written));
    }

    /** {@code pom} with {@code <module>type</module>} added to its modules, which stay in alphabetical order. */
    static String withModule(String pom, String type) {
        Matcher modules = MODULES.matcher(pom);
        if (!modules.find()) {
            throw new ScaffoldException("connectors-sources/pom.xml has no <modules> section to add '" + type + "' to");
        }
        TreeSet<String> names = new TreeSet<>();
        Matcher module = MODULE.matcher(modules.group(3));
        while (module.find()) {
            names.add(module.group(1).trim());
        }
        if (!names.add(type)) {
            throw new ScaffoldException("connectors-sources/pom.xml lists module '" + type + "' already");
        }
        String indent = modules.group(2);
        StringBuilder block = new StringBuilder(modules.group(1)).append(indent).append("<modules>\n");
        for (String name : names) {
            block.append(indent).append("  <module>").append(name).append("</module>\n");
        }
        block.append(indent).append("</modules>");
        return pom.substring(0, modules.start()) + block + pom.substring(modules.end());
    }

    /** The file of another source that declares {@code type} as its type, if any. */
    private static Optional<String> existingType(Path root, String type) {
        Pattern declaration = Pattern.compile("String\\s+TYPE\\s*=\\s*\"" + Pattern.quote(type) + "\"|return\\s+\""
                + Pattern.quote(type) + "\"\\s*;");
        try (Stream<Path> files = Files.walk(root.resolve(SOURCES))) {
            return files.filter(f -> f.toString().endsWith("DataSourceProvider.java"))
                    .filter(f -> !f.toString().contains(java.io.File.separator + "target" + java.io.File.separator))
                    .filter(f -> declaration.matcher(read(f)).find())
                    .map(f -> root.relativize(f).toString())
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + root.resolve(SOURCES), e);
        }
    }

    private static List<Path> templateFiles(Path template) throws IOException {
        try (Stream<Path> files = Files.walk(template)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    private static void deleteQuietly(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the error that brought us here is the one reported
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }

    /**
     * {@code NewSource [--root DIR] <type>}; exit code 0 when created, 2 for a refused name or arguments, 1 when
     * writing failed.
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path root = Path.of("");
        String type = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--root") && i + 1 < args.length) {
                root = Path.of(args[++i]);
            } else if (args[i].startsWith("-")) {
                err.println("new-source: unknown option '" + args[i] + "'; usage: make new-source NAME=<type>");
                return 2;
            } else if (type == null) {
                type = args[i];
            } else {
                err.println("new-source: one source type at a time, got '" + type + "' and '" + args[i] + "'");
                return 2;
            }
        }
        try {
            Result result = create(root.toAbsolutePath().normalize(), type);
            Names names = result.names();
            out.println("Created " + result.module() + " (source type '" + names.type() + "'):");
            result.files().forEach(f -> out.println("  " + f));
            out.println("and added <module>" + names.type() + "</module> to connectors-sources/pom.xml.");
            out.println();
            out.println("Next (docs/DEVELOPING.md): build once, then run the new module's tests until they pass:");
            out.println("  make build");
            out.println("  mvn -pl " + result.module() + " verify");
            out.println("The failing tests name each method still to write and what it must do; verify also checks");
            out.println("the 90% line-coverage gate. Then: make ftest NAME=" + names.type());
            return 0;
        } catch (ScaffoldException e) {
            err.println("new-source: " + e.getMessage());
            return 2;
        } catch (UncheckedIOException e) {
            err.println("new-source: " + e.getMessage() + "; nothing was kept");
            return 1;
        }
    }

    /** For tests: the placeholders, to check none is left in generated files. */
    static Map<String, String> placeholders(Names names) {
        return Map.of(TYPE, names.type(), TYPE_UPPER, names.type().toUpperCase(Locale.ROOT), CLASS_PREFIX, names.classPrefix(), PACKAGE, names.javaPackage(),
                ARTIFACT, names.artifact(), DISPLAY, names.display());
    }
}
