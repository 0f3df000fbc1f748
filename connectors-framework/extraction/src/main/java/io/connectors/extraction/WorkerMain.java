package io.connectors.extraction;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A parser process: reads requests on its standard input, parses each file with {@link TikaText}, answers on its
 * standard output ({@link WorkerProtocol}), and ends when its input ends. Started by {@link WorkerProcess} with a
 * bounded heap and {@code -XX:+ExitOnOutOfMemoryError}, so a document that exhausts memory ends this process, not the
 * daemon.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    /** {@code WorkerMain <max characters>} */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: WorkerMain <max characters>");
            System.exit(2);
        }
        int maxCharacters = Integer.parseInt(args[0]);
        // The protocol owns standard output: whatever a parser prints goes to standard error instead.
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        System.setOut(System.err);
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in)));
        TikaText tika = new TikaText(maxCharacters);
        out.writeInt(WorkerProtocol.READY);
        out.flush();
        WorkerProtocol.Request request;
        while ((request = WorkerProtocol.readRequest(in)) != null) {
            Extraction result = tika.extract(Path.of(request.path()), request.name(), request.mimeType());
            WorkerProtocol.writeResponse(out, result);
        }
    }
}
