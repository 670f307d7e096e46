package dev.greta.tensor.bench;

import dev.greta.BuildVariants;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;

/**
 * A/B of matmul builds in one JVM, for a machine shared with busy neighbours: each variant is a compiled
 * {@code classes} folder loaded in its own class loader with {@link MatmulFixture}; the variants take turns,
 * {@code --seconds} each per round, so every variant sees the same neighbours. Reports per variant the minimum and
 * median wall time per call (all of the pool's threads) after a warm-up round. With {@code --copies} the weights
 * come from DRAM, as in a model, instead of staying in the caches between calls.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp $CP dev.greta.tensor.bench.MatmulAbTime \
 *     --shape 1536x576 --tokens 512 --threads 2 base=/tmp/base/target/classes new=target/classes</pre>
 */
@Command(name = "matmul-ab-time", mixinStandardHelpOptions = true)
public final class MatmulAbTime implements Runnable {

    @Parameters(arity = "1..*", paramLabel = "NAME=CLASSES", description = "a variant: a label and its compiled classes folder")
    List<String> variants;

    @Option(names = "--type", defaultValue = "Q8_0")
    String type;

    @Option(names = "--shape", defaultValue = "1536x576", description = "weight rows x cols")
    String shape;

    @Option(names = "--tokens", defaultValue = "512")
    int tokens;

    @Option(names = "--threads", defaultValue = "2")
    int threads;

    @Option(names = "--copies", defaultValue = "1",
            description = "copies of the weight in separate memory, called in turn (enough of them stream from DRAM)")
    int copies;

    @Option(names = "--rounds", defaultValue = "8", description = "rounds; the first is warm-up")
    int rounds;

    @Option(names = "--seconds", defaultValue = "1", description = "seconds per variant and round")
    double seconds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MatmulAbTime()).execute(args));
    }

    @Override
    public void run() {
        int n = variants.size();
        String[] names = new String[n];
        AutoCloseable[] fixtures = new AutoCloseable[n];
        List<List<Long>> times = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                String[] variant = variants.get(i).split("=", 2);
                if (variant.length != 2 || variant[0].isEmpty()) {
                    throw new IllegalArgumentException("variant '" + variants.get(i) + "' is not NAME=CLASSES");
                }
                names[i] = variant[0];
                fixtures[i] = load(variant[1]);
                times.add(new ArrayList<>());
            }
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < n; i++) {
                    Runnable call = (Runnable) fixtures[i];
                    long end = System.nanoTime() + (long) (seconds * 1e9);
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        call.run();
                        if (round > 0) times.get(i).add(System.nanoTime() - start);
                    }
                }
            }
            String[] rc = shape.split("x");
            double flops = 2.0 * Integer.parseInt(rc[0]) * Integer.parseInt(rc[1]) * tokens;
            for (int i = 0; i < n; i++) System.out.println(BuildVariants.summary(names[i], times.get(i), flops));
        } finally {
            for (AutoCloseable fixture : fixtures) {
                try {
                    if (fixture != null) fixture.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** A MatmulFixture of this build's test classes over the product classes in {@code classes}. */
    private AutoCloseable load(String classes) {
        try {
            Constructor<?> make = BuildVariants.load(classes, MatmulFixture.class)
                    .getDeclaredConstructor(String.class, String.class, int.class, int.class, int.class);
            make.setAccessible(true);
            return (AutoCloseable) make.newInstance(type, shape, tokens, threads, copies);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the matmul build in " + classes + ": " + e, e);
        }
    }
}
