package io.connectors.elasticsearch.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnprivilegedUserTest {

    private static final int NOBODY = UnprivilegedUser.UID;

    @TempDir
    Path tmp;

    @Test
    void theSearchBitIsTakenFromTheOwnerThenTheGroupThenOthers() {
        assertThat(UnprivilegedUser.maySearch(0, 0, 0700, NOBODY, NOBODY)).isFalse();
        assertThat(UnprivilegedUser.maySearch(0, 0, 0701, NOBODY, NOBODY)).isTrue();
        assertThat(UnprivilegedUser.maySearch(0, NOBODY, 0710, NOBODY, NOBODY)).isTrue();
        // The owner class decides for the owner, even when "others" could search.
        assertThat(UnprivilegedUser.maySearch(NOBODY, 0, 0601, NOBODY, NOBODY)).isFalse();
        assertThat(UnprivilegedUser.maySearch(NOBODY, 0, 0700, NOBODY, NOBODY)).isTrue();
        assertThat(UnprivilegedUser.maySearch(1000, 1000, 0000, 0, 0)).isTrue();
    }

    @Test
    void aPrivateParentMakesAFolderUnreachable() throws IOException {
        Path open = Files.createDirectories(tmp.resolve("open/inner"));
        Path closed = Files.createDirectories(tmp.resolve("closed/inner"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(tmp.resolve("open"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(tmp.resolve("closed"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwxr-xr-x"));

        // Only meaningful if the folders above the JUnit temp dir are open; they are on any normal /tmp.
        if (UnprivilegedUser.canTraverse(tmp, NOBODY, NOBODY)) {
            assertThat(UnprivilegedUser.canTraverse(open, NOBODY, NOBODY)).isTrue();
        }
        assertThat(UnprivilegedUser.canTraverse(closed, NOBODY, NOBODY)).isFalse();
        assertThat(UnprivilegedUser.canTraverse(tmp.resolve("missing"), NOBODY, NOBODY)).isFalse();
        assertThat(UnprivilegedUser.canTraverse(closed, 0, 0)).isTrue();
    }

    @Test
    void rootIsDetectedFromTheProcessOwner() {
        assertThat(UnprivilegedUser.runningAsRoot()).isEqualTo("root".equals(System.getProperty("user.name")));
    }
}
