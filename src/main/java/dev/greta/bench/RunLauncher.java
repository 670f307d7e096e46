package dev.greta.bench;

import java.util.List;

/** Builds the command line of the separate process that performs one run and prints the infer JSON. */
@FunctionalInterface
public interface RunLauncher {
    List<String> command(RunRequest request);
}
