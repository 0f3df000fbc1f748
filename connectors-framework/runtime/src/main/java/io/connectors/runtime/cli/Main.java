package io.connectors.runtime.cli;

import picocli.CommandLine;

/** The {@code connectors} command line: process entry point. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Before any pipeline is assembled: log lines written for a job carry its fields whatever thread writes them.
        io.connectors.runtime.util.LogContext.install();
        System.exit(execute(args));
    }

    /**
     * Exit code of {@code sync} and {@code jobs start --wait} when the job ran to its end but Elasticsearch refused
     * documents (job status {@code completed_with_errors}): distinct from a failed command (1) and bad usage (2).
     */
    static final int EXIT_COMPLETED_WITH_ERRORS = 3;

    /**
     * Runs the command line and returns its exit code (0 success, 1 failure, 2 bad usage or configuration, 3 a job
     * that completed with documents refused by Elasticsearch).
     */
    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    /** As {@link #execute(String...)}, writing to the given streams. */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine line = new CommandLine(new ConnectorsCommand());
        line.addSubcommand("help", new Help());
        addHelpOption(line);
        return line
                .registerConverter(java.time.Duration.class, new DurationConverter())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(new UsageHandler())
                .setExecutionExceptionHandler(new ErrorHandler())
                .setOut(out)
                .setErr(err)
                .execute(args);
    }

    /** {@code connectors help [COMMAND [SUBCOMMAND]]}: the usage of any command, however deep. */
    @CommandLine.Command(name = "help", helpCommand = true,
            description = "Show the help of a command, e.g. connectors help jobs start.")
    static final class Help implements Runnable {
        @CommandLine.Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and subcommands.")
        java.util.List<String> path = new java.util.ArrayList<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            CommandLine command = spec.parent().commandLine();
            for (String name : path) {
                CommandLine next = command.getSubcommands().get(name);
                if (next == null || next.getCommand() instanceof Help) {
                    throw new UsageException("no command '" + String.join(" ", path) + "'; the commands of '"
                            + command.getCommandSpec().qualifiedName() + "' are " + command.getSubcommands().keySet()
                            .stream().filter(n -> !n.equals("help")).toList());
                }
                command = next;
            }
            command.usage(spec.commandLine().getOut());
        }
    }

    /** {@code -h}/{@code --help} on every command and subcommand that does not declare it, now and in the future. */
    static void addHelpOption(CommandLine command) {
        CommandLine.Model.CommandSpec spec = command.getCommandSpec();
        if (spec.options().stream().noneMatch(CommandLine.Model.OptionSpec::usageHelp)
                && !(command.getCommand() instanceof Help)) {
            spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                    .description("Show this help message and exit.").build());
        }
        command.getSubcommands().values().forEach(Main::addHelpOption);
    }

    /**
     * Waits for a publisher's result. Only the command line, the process entry point, waits like this; everything
     * below it is non-blocking.
     */
    static <T> T await(reactor.core.publisher.Mono<T> mono) {
        return mono.block();
    }

    /** Configuration problems are the user's to fix: print them plainly, no stack trace. */
    private static final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
            if (e instanceof io.connectors.runtime.config.ConfigException) {
                cmd.getErr().println(e.getMessage());
                return 2;
            }
            if (e instanceof UsageException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 2;
            }
            if (e instanceof io.connectors.runtime.es.MissingPrivilegesException
                    || io.connectors.runtime.util.PermissionDenied.is(io.connectors.runtime.util.Failures.unwrap(e))) {
                cmd.getErr().println("error: " + io.connectors.runtime.util.Failures.describe(e));
                return 1;
            }
            if (e instanceof UserFacingException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
            }
            cmd.getErr().println("error: " + e);
            e.printStackTrace(cmd.getErr());
            return 1;
        }
    }

    /**
     * A command line picocli cannot parse: the problem first, then the command's usage, exit code 2. When a required
     * argument is missing and an unknown option was given, the unknown option is what to report: picocli would
     * complain about the missing argument, hiding the typo ({@code connectors sync --bogus}).
     */
    static final class UsageHandler implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] args) {
            CommandLine cmd = e.getCommandLine();
            java.io.PrintWriter err = cmd.getErr();
            String message = e.getMessage();
            if (e instanceof CommandLine.MissingParameterException) {
                java.util.Optional<String> unknown = unknownOption(cmd, args);
                if (unknown.isPresent()) {
                    message = "Unknown option: '" + unknown.get() + "'";
                }
            }
            err.println("error: " + message);
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                cmd.usage(err);
            }
            return 2;
        }

        /** The first argument that looks like an option and that the failing command does not know. */
        static java.util.Optional<String> unknownOption(CommandLine cmd, String[] args) {
            java.util.Set<String> known = new java.util.HashSet<>();
            for (CommandLine c = cmd; c != null; c = c.getParent()) {
                c.getCommandSpec().options().forEach(o -> known.addAll(java.util.List.of(o.names())));
            }
            return java.util.Arrays.stream(args)
                    .filter(a -> a.startsWith("-") && a.length() > 1)
                    .map(a -> a.contains("=") ? a.substring(0, a.indexOf('=')) : a)
                    .filter(a -> !known.contains(a))
                    .findFirst();
        }
    }
}
