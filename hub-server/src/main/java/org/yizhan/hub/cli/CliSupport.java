package org.yizhan.hub.cli;

import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * How the hub's picocli commands report: output and errors to the given streams, a bad argument as
 * {@code Error: ...} with the command's usage and exit status 2, an unexpected failure as one line and status 1
 * (never a stack trace).
 */
public final class CliSupport {

    private CliSupport() {
    }

    /** Runs {@code command} (a picocli command) with these arguments; its exit status. */
    public static int execute(Object command, java.util.List<String> args, PrintStream out, PrintStream err) {
        return configure(new CommandLine(command), out, err).execute(args.toArray(String[]::new));
    }

    /** Configures {@code cl} (after its subcommands are added) to write to these streams. */
    /**
     * The bash completion script of {@code root}, without picocli's {@code #!} line: bash-completion sources the
     * file, it is not run (lintian: bash-completion-with-hashbang).
     */
    public static String completionScript(String name, CommandLine root) {
        String script = picocli.AutoComplete.bash(name, root);
        return script.startsWith("#!") ? script.substring(script.indexOf('\n') + 1) : script;
    }

    public static CommandLine configure(CommandLine cl, PrintStream out, PrintStream err) {
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        // an argument such as a claim code or a file name is taken as it is, never as "@file of arguments"
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine bad = ex.getCommandLine();
            PrintWriter w = bad.getErr();
            w.println("Error: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, w);
            bad.usage(w);
            w.flush();
            return bad.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, bad, parsed) -> {
            PrintWriter w = bad.getErr();
            w.println(bad.getCommandName() + " failed: " + ex);
            w.flush();
            return 1;
        });
        return cl;
    }

    /** {@code -h, --help} for a command (a mixin: {@code @Mixin HelpOption help}). */
    public static final class HelpOption {
        @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;
    }
}
