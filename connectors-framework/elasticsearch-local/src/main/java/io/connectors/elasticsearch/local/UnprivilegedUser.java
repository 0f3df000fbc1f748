package io.connectors.elasticsearch.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The account Elasticsearch runs as when the launcher runs as root: Elasticsearch refuses to start as root, so the
 * launcher hands its folders to {@code nobody} (uid and gid 65534) and starts it through {@code setpriv} (or
 * {@code runuser}).
 */
public final class UnprivilegedUser {

    public static final int UID = 65534;
    public static final int GID = 65534;
    public static final String NAME = "nobody";

    private UnprivilegedUser() {
    }

    public static boolean runningAsRoot() {
        try {
            // /proc/self belongs to the effective user of this process.
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /**
     * Whether {@code uid}/{@code gid} (without supplementary groups) may search every folder from the root down to
     * {@code dir}, which must exist. Looks at mode bits only, not ACLs.
     */
    public static boolean canTraverse(Path dir, int uid, int gid) {
        if (uid == 0) {
            return true;
        }
        Path current;
        try {
            current = dir.toRealPath();
        } catch (IOException e) {
            return false;
        }
        for (; current != null; current = current.getParent()) {
            Map<String, Object> attributes;
            try {
                attributes = Files.readAttributes(current, "unix:uid,gid,mode");
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                return true;
            } catch (IOException e) {
                return false;
            }
            int ownerUid = ((Number) attributes.get("uid")).intValue();
            int ownerGid = ((Number) attributes.get("gid")).intValue();
            int mode = ((Number) attributes.get("mode")).intValue();
            if (!maySearch(ownerUid, ownerGid, mode, uid, gid)) {
                return false;
            }
        }
        return true;
    }

    /** The kernel's rule for the search (x) bit: owner class first, then group, then others. */
    static boolean maySearch(int ownerUid, int ownerGid, int mode, int uid, int gid) {
        if (uid == 0) {
            return true;
        }
        if (ownerUid == uid) {
            return (mode & 0100) != 0;
        }
        if (ownerGid == gid) {
            return (mode & 0010) != 0;
        }
        return (mode & 0001) != 0;
    }

    /** The words to put before a command so that it runs as the unprivileged user. */
    static List<String> commandPrefix() {
        return commandPrefix("Elasticsearch");
    }

    /**
     * The words to put before a command so that {@code program} (which refuses to run as root: Elasticsearch,
     * PostgreSQL) runs as the unprivileged user.
     */
    public static List<String> commandPrefix(String program) {
        String path = System.getenv("PATH");
        String pathWithSbin = (path == null ? "" : path) + ":/usr/bin:/bin:/usr/sbin:/sbin";
        var setpriv = ElasticsearchDistribution.findOnPath("setpriv", pathWithSbin);
        if (setpriv.isPresent()) {
            // setpriv execs the command, so the launcher's Process is Elasticsearch's own launcher JVM.
            return List.of(setpriv.get().toString(), "--reuid=" + UID, "--regid=" + GID, "--clear-groups");
        }
        var runuser = ElasticsearchDistribution.findOnPath("runuser", pathWithSbin);
        if (runuser.isPresent()) {
            return List.of(runuser.get().toString(), "-u", NAME, "--");
        }
        throw new ElasticsearchLaunchException(program + " refuses to run as root, and neither setpriv nor runuser "
                + "(util-linux) is available to run it as " + NAME + ". Install util-linux or run as another user.");
    }

    /** Gives {@code paths}, recursively, to the unprivileged user. */
    public static void chown(Path... paths) {
        List<String> command = new ArrayList<>(List.of("chown", "-R", UID + ":" + GID));
        for (Path path : paths) {
            command.add(path.toString());
        }
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new ElasticsearchLaunchException("'" + String.join(" ", command) + "' failed: " + output.trim());
            }
        } catch (IOException e) {
            throw new ElasticsearchLaunchException("Cannot run chown: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ElasticsearchLaunchException("Interrupted while running chown", e);
        }
    }
}
