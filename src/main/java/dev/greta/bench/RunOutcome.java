package dev.greta.bench;

import java.util.List;

/**
 * How one child process ended. {@code result} is the parsed infer JSON of a DONE run and null otherwise;
 * {@code error} says why a run is FAILED or TIMEOUT.
 */
public record RunOutcome(RunStatus status, Integer exitCode, InferResult result, String error,
                         List<String> stderrTail, Long peakRssBytes, double processWallS) {
}
