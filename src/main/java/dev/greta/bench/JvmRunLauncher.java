package dev.greta.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code <mainClass> infer ... --json} in a fresh JVM: the same java binary and class path as this one,
 * with the flags the engine needs, so a run's memory or crash cannot touch another run or the executor.
 */
public final class JvmRunLauncher implements RunLauncher {
    /**
     * The flags of the {@code ./greta} launcher that matter for a measurement. SerialGC: the engine allocates
     * almost nothing while it computes, and the parallel collector's eager heap growth doubled peak RSS
     * (748 vs 448 MB for a 2048-token prefill of the default model, 2026-11-25, /usr/bin/time -f %M). A small
     * young generation: every page of it gets touched, and the default (a third of the initial heap, 1/64 of
     * RAM) only added resident memory (8192-token prefill 643 vs 724 MiB peak RSS at the same speed; 8 MB
     * instead of 16 saves ~8 MB more). Trimming the C heap every 300 ms hands back what the JIT compilers'
     * arenas held after warm-up, before the KV cache fills: 2048-token prefill 345-352k vs 364-474k KiB (2026-11-26).
     */
    public static final List<String> ENGINE_JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmn8m", "-XX:TrimNativeHeapInterval=300",
            "-XX:MaxRAMPercentage=75", "-Xss4m");

    private final String mainClass;
    private final List<String> extraJvmOptions;

    public JvmRunLauncher(String mainClass, List<String> extraJvmOptions) {
        this.mainClass = mainClass;
        this.extraJvmOptions = List.copyOf(extraJvmOptions);
    }

    /** The real engine: {@code dev.greta.cli.GretaCli infer}. */
    public static JvmRunLauncher greta() {
        return new JvmRunLauncher("dev.greta.cli.GretaCli", List.of());
    }

    @Override
    public List<String> command(RunRequest r) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(ENGINE_JVM_FLAGS);
        cmd.addAll(extraJvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of("infer", "--model", r.model().toString(),
                "--prompt-tokens", Integer.toString(r.promptTokens()),
                "--max-tokens", Integer.toString(r.genTokens()),
                "--attn", r.attn(),
                "--threads", Integer.toString(r.threads()),
                "--kv-type", r.kvType(),
                "--backend", r.backend()));
        if (r.maxSeqLen() != null) cmd.addAll(List.of("--ctx", Integer.toString(r.maxSeqLen())));
        if (r.deterministic()) cmd.add("--deterministic");
        cmd.add("--json");
        return cmd;
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
