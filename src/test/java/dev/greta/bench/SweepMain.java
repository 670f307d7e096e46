package dev.greta.bench;

import dev.greta.cli.BenchCommand;
import picocli.CommandLine;

import java.util.Arrays;

/** {@code greta bench} with fake children, run as its own JVM so a test can kill the executor mid-sweep. */
public final class SweepMain {
    /** args[0]: how long each fake run takes (ms); the rest: bench options. */
    public static void main(String[] args) {
        BenchCommand bench = new BenchCommand(BenchFixtures.fake("sleepMs=" + args[0]), BenchFixtures::tinyModel);
        System.exit(new CommandLine(bench).execute(Arrays.copyOfRange(args, 1, args.length)));
    }
}
