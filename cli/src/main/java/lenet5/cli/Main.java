package lenet5.cli;

import lenet5.ArchitectureRequiredException;
import lenet5.Lenet5Exception;
import lenet5.Text;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code lenet5} command. Exit codes: 0 success, 1 {@code compare} found the models further
 * apart than the tolerance, 2 any error (bad file, bad option). Errors are one line on stderr,
 * {@code error: <file>: <problem>}; {@code --debug} adds the stack trace.
 */
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_DIFFERENT = 1;
    public static final int EXIT_ERROR = 2;

    /** The commands; each builds its own picocli model (see {@link Specs}). */
    private static final Map<String, Supplier<CommandSpec>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("predict", () -> new PredictCommand().spec);
        COMMANDS.put("inspect", () -> new InspectCommand().spec);
        COMMANDS.put("convert", () -> new ConvertCommand().spec);
        COMMANDS.put("compare", () -> new CompareCommand().spec);
        COMMANDS.put("serve", () -> new ServeCommand().spec);
    }

    boolean debug;

    final CommandSpec spec = Specs.command(this, "lenet5",
            new String[] {"Pure-Java inference and conversion for LeNet-5-class CNNs saved by PyTorch and Keras."},
            "", "Exit codes: 0 success, 1 compare beyond tolerance, 2 error.")
            .addOption(Specs.flag("--debug", v -> debug = v, "Print stack traces on errors.").toBuilder()
                    .scopeType(CommandLine.ScopeType.INHERIT).build());

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a command: predict, inspect, convert, compare or serve");
    }

    public static void main(String[] args) {
        // Results are buffered (System.out alone writes each line with its own system call, seconds for a
        // 200,000-image listing) and flushed before an error, at the end, and by serve once it listens.
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out), 1 << 16));
        PrintWriter err = new PrintWriter(System.err, true);
        int rc;
        try {
            rc = run(args, out, err);
        } finally {
            out.flush();
        }
        System.exit(rc);
    }

    /** Runs the command line with the given streams; returns the exit code. Used by tests. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        // Every CommandLine registers picocli's built-in converters; those for java.sql and java.time are
        // looked up by reflection (~20 ms of each start) and no option here takes such a type.
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", "java\\.(sql|time)\\..*");
        }
        Main main = new Main();
        CommandLine cl = new CommandLine(main.spec);
        // Only the command asked for is built (all of them and "help" for help, a typo or no command, so
        // usage and suggestions list every command).
        String wanted = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
        boolean one = COMMANDS.containsKey(wanted);
        COMMANDS.forEach((name, command) -> {
            if (!one || name.equals(wanted)) {
                cl.addSubcommand(name, command.get());
            }
        });
        if (!one) {
            cl.addSubcommand("help", new CommandLine.HelpCommand());
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExpandAtFiles(false); // @FILE means "architecture text in FILE" for --arch, not picocli's argument files
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            out.flush();
            err.println("error: " + Text.oneLine(ex.getMessage()));
            err.println("(see 'lenet5 " + (ex.getCommandLine().getCommandName().equals("lenet5") ? "" : ex.getCommandLine().getCommandName() + " ") + "--help')");
            return EXIT_ERROR;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            out.flush();
            err.println("error: " + Text.oneLine(message(ex, commandLine.getCommandName())));
            if (main.debug) {
                ex.printStackTrace(err);
            }
            return EXIT_ERROR;
        });
        try {
            return cl.execute(args);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // picocli passes Errors through; the same boundary as the API's turns them into one line.
            out.flush();
            err.println("error: " + Lenet5Exception.of(null, null, e).getMessage());
            if (main.debug) {
                e.printStackTrace(err);
            }
            return EXIT_ERROR;
        }
    }

    private static String message(Exception ex, String command) {
        if (ex instanceof ArchitectureRequiredException a) {
            // The library words the remedy for its API; here the user passes an option.
            return (a.file() == null ? "" : a.file() + ": ") + a.problem(command.equals("compare") ? "--arch-a or --arch-b" : "--arch");
        }
        if (ex instanceof Lenet5Exception || ex instanceof IllegalArgumentException) {
            return ex.getMessage();
        }
        if (ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
            return "I/O error: " + ex.getMessage();
        }
        // A bug in this program, not in the input: say so rather than pretend it is the file's fault.
        return "internal error: " + ex + " (run with --debug for the stack trace, and please report it)";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"lenet5 " + (v == null ? "development build" : v), "Java " + Runtime.version()};
        }
    }
}
