package io.connectors.runtime.cli;

import io.connectors.runtime.daemon.ConnectorControl;
import io.connectors.runtime.state.ConnectorRecords;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code connectors pause|resume|restart <id>}: what an operator asks of a connector that daemons serve, recorded in
 * its record so every daemon serving it honours it ({@link ConnectorControl}).
 */
final class ControlCommands {
    private ControlCommands() {
    }

    /** Who asks: the user and host of this command. */
    static String requester() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return System.getProperty("user.name", "unknown") + "@" + host;
    }

    static int apply(ConnectorsCommand parent, CommandSpec spec, String connectorId, ConnectorControl.Action action,
                     String reason) {
        try (JobsCommand.Session s = JobsCommand.Session.open(parent)) {
            ConnectorControl control = new ConnectorControl(new ConnectorRecords(s.store()), java.time.Clock.systemUTC());
            ConnectorControl.Outcome outcome = Main.await(control.apply(connectorId, action, requester(), reason));
            spec.commandLine().getOut().println(outcome.message());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (ConnectorControl.UnknownConnectorException e) {
            throw new UsageException(e.getMessage());
        } catch (ConnectorControl.RefusedException e) {
            throw new UserFacingException(e.getMessage());
        }
    }

    /** What the three commands share: the connector they act on, and how they act. */
    abstract static class ControlCommand implements Callable<Integer> {
        @ParentCommand
        ConnectorsCommand parent;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "CONNECTOR", description = "The connector's id.")
        String connectorId;

        abstract ConnectorControl.Action action();

        String reason() {
            return null;
        }

        @Override
        public Integer call() {
            return apply(parent, spec, connectorId, action(), reason());
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pause a connector: no job of it starts, and its running job is suspended (it resumes where it"
                    + " was on resume). Every daemon serving it honours this within its poll interval.")
    static final class Pause extends ControlCommand {
        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, kept with the pause (shown by status).")
        String reason;

        @Override
        ConnectorControl.Action action() {
            return ConnectorControl.Action.PAUSE;
        }

        @Override
        String reason() {
            return reason;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a paused connector: its schedules run again, and its suspended or queued job is taken"
                    + " up at the next poll.")
    static final class Resume extends ControlCommand {
        @Override
        ConnectorControl.Action action() {
            return ConnectorControl.Action.RESUME;
        }
    }

    @Command(name = "restart", mixinStandardHelpOptions = true,
            description = "Restart a connector's running job: it is suspended and taken up again at once with a new"
                    + " source (new connections); a split full sync keeps its positions. Refused while paused.")
    static final class Restart extends ControlCommand {
        @Override
        ConnectorControl.Action action() {
            return ConnectorControl.Action.RESTART;
        }
    }
}
