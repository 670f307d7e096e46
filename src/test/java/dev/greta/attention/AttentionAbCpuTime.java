package dev.greta.attention;

import dev.greta.BuildVariants;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * A/B of attention builds in one JVM, for a machine shared with busy neighbours: each variant is a compiled
 * {@code classes} folder (e.g. main's and this branch's) loaded in its own class loader together with
 * {@link AttentionCall}; calls alternate variant by variant, so every variant sees the same neighbours. Reports
 * per variant the minimum and median thread CPU time per call (one thread) after a warm-up round.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp $CP dev.greta.attention.AttentionAbCpuTime \
 *     --keys 8192 --rows 512 base=/tmp/base/target/classes new=target/classes</pre>
 */
@Command(name = "attention-ab-cpu-time", mixinStandardHelpOptions = true)
public final class AttentionAbCpuTime implements Runnable {

    @Parameters(arity = "1..*", paramLabel = "NAME=CLASSES[@SPEC]",
            description = "a variant: a label, its compiled classes folder, optionally its own kernel spec")
    List<String> variants;

    @Option(names = "--kernel", defaultValue = "flash", description = "kernel spec for variants without @SPEC")
    String kernel;

    @Option(names = "--heads", defaultValue = "9")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "3")
    int kvHeads;

    @Option(names = "--head-dim", defaultValue = "64")
    int headDim;

    @Option(names = "--keys", defaultValue = "8192", description = "context length at the end of the step")
    int keys;

    @Option(names = "--rows", defaultValue = "512", description = "query rows (512 prefill chunk, 1 decode)")
    int rows;

    @Option(names = "--kv", defaultValue = "f32", description = "f32 or f16 cache")
    String kv;

    @Option(names = "--rounds", defaultValue = "6", description = "rounds; the first is warm-up")
    int rounds;

    @Option(names = "--seconds", defaultValue = "3", description = "seconds per round")
    double seconds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AttentionAbCpuTime()).execute(args));
    }

    @Override
    public void run() {
        int n = variants.size();
        String[] names = new String[n];
        Runnable[] calls = new Runnable[n];
        for (int i = 0; i < n; i++) {
            String variant = variants.get(i);
            int eq = variant.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("variant '" + variant + "' is not NAME=CLASSES[@SPEC]");
            names[i] = variant.substring(0, eq);
            String rest = variant.substring(eq + 1);
            int at = rest.indexOf('@');
            calls[i] = load(at < 0 ? rest : rest.substring(0, at), at < 0 ? kernel : rest.substring(at + 1));
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        List<List<Long>> times = new ArrayList<>();
        for (int i = 0; i < n; i++) times.add(new ArrayList<>());
        for (int round = 0; round < rounds; round++) {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                for (int i = 0; i < n; i++) {
                    long start = cpu.getCurrentThreadCpuTime();
                    calls[i].run();
                    long spent = cpu.getCurrentThreadCpuTime() - start;
                    if (round > 0) times.get(i).add(spent);
                }
            }
        }
        double flops = 0;
        for (int r = 0; r < rows; r++) flops += 4.0 * heads * headDim * (keys - rows + r + 1);
        for (int i = 0; i < n; i++) System.out.println(BuildVariants.summary(names[i], times.get(i), flops));
    }

    /** AttentionCall from this build's test classes, resolving the package's classes from {@code classes}. */
    private Runnable load(String classes, String spec) {
        try {
            return (Runnable) BuildVariants.load(classes, AttentionCall.class)
                    .getConstructor(String.class, int.class, int.class, int.class, int.class, int.class, String.class)
                    .newInstance(spec, heads, kvHeads, headDim, keys, rows, kv);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the attention build in " + classes + ": " + e, e);
        }
    }
}
