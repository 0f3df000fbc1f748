package io.connectors.source.directory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * One open directory of a walk, through which its entries are examined and opened by name.
 *
 * <p>Where the platform offers a {@link SecureDirectoryStream} (Linux, macOS), entries are resolved relative to
 * the open directory (the {@code *at} system calls), so a directory renamed or swapped for a symbolic link during
 * the walk cannot lead it outside the root; that is why a walk keeps a handle open for each directory between the
 * root and the current one. Elsewhere, entries are resolved by path.
 */
interface DirectoryHandle extends Closeable {

    /** The names of the entries, sorted, so runs are reproducible. Read once. */
    List<String> sortedNames() throws IOException;

    /** The attributes of an entry; of its target when {@code follow} and the entry is a symbolic link. */
    BasicFileAttributes attributes(String name, boolean follow) throws IOException;

    /** Opens a subdirectory; fails when it is a symbolic link and {@code follow} is false. */
    DirectoryHandle openDirectory(String name, boolean follow) throws IOException;

    /** Opens a file for reading; fails when it is a symbolic link and {@code follow} is false. */
    SeekableByteChannel openFile(String name, boolean follow) throws IOException;

    /** Identifies the open directory (device and inode on Unix), to detect loops. */
    Object key() throws IOException;

    /** Opens {@code dir}, securely where the platform can. */
    static DirectoryHandle open(Path dir) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return new Secure(secure);
        }
        return new ByPath(dir, stream);
    }

    /** Opens {@code dir} with entries resolved by path, as on platforms without secure directory streams. */
    static DirectoryHandle openByPath(Path dir) throws IOException {
        return new ByPath(dir, Files.newDirectoryStream(dir));
    }

    private static LinkOption[] linkOptions(boolean follow) {
        return follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    }

    private static Set<OpenOption> readOptions(boolean follow) {
        return follow ? Set.of(StandardOpenOption.READ) : Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    private static List<String> sortedNames(DirectoryStream<Path> stream) throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (Path entry : stream) {
                names.add(entry.getFileName().toString());
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        Collections.sort(names);
        return names;
    }

    /** Entries resolved relative to the open directory. */
    final class Secure implements DirectoryHandle {
        private final SecureDirectoryStream<Path> stream;

        Secure(SecureDirectoryStream<Path> stream) {
            this.stream = stream;
        }

        @Override
        public List<String> sortedNames() throws IOException {
            return DirectoryHandle.sortedNames(stream);
        }

        @Override
        public BasicFileAttributes attributes(String name, boolean follow) throws IOException {
            return stream.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, linkOptions(follow))
                    .readAttributes();
        }

        @Override
        public DirectoryHandle openDirectory(String name, boolean follow) throws IOException {
            return new Secure(stream.newDirectoryStream(Path.of(name), linkOptions(follow)));
        }

        @Override
        public SeekableByteChannel openFile(String name, boolean follow) throws IOException {
            return stream.newByteChannel(Path.of(name), readOptions(follow));
        }

        @Override
        public Object key() throws IOException {
            return stream.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    /** Entries resolved by path; a directory swapped for a link between a check and an open is not detected. */
    final class ByPath implements DirectoryHandle {
        private final Path dir;
        private final DirectoryStream<Path> stream;

        ByPath(Path dir, DirectoryStream<Path> stream) {
            this.dir = dir;
            this.stream = stream;
        }

        @Override
        public List<String> sortedNames() throws IOException {
            return DirectoryHandle.sortedNames(stream);
        }

        @Override
        public BasicFileAttributes attributes(String name, boolean follow) throws IOException {
            return Files.readAttributes(dir.resolve(name), BasicFileAttributes.class, linkOptions(follow));
        }

        @Override
        public DirectoryHandle openDirectory(String name, boolean follow) throws IOException {
            Path child = dir.resolve(name);
            if (!follow && Files.isSymbolicLink(child)) {
                throw new IOException(child + " is a symbolic link");
            }
            return openByPath(child);
        }

        @Override
        public SeekableByteChannel openFile(String name, boolean follow) throws IOException {
            return Files.newByteChannel(dir.resolve(name), readOptions(follow));
        }

        @Override
        public Object key() throws IOException {
            Object key = Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
            return key != null ? key : dir.toRealPath();
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
