package dev.greta.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code greta} command: thin subcommands that parse, call the engine and print. */
@Command(name = "greta", mixinStandardHelpOptions = true, version = "greta 0.1.0",
        description = "Run LLMs from GGUF files and measure their prefill honestly.",
        subcommands = {InferCommand.class, BenchCommand.class, TokenizeCommand.class, GgufCommand.class,
                GenModelCommand.class, CommandLine.HelpCommand.class})
public final class GretaCli {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return new CommandLine(new GretaCli()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }
}
