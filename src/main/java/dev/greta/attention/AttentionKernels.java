package dev.greta.attention;

import java.util.List;

/** The CPU attention kernels by name: {@code naive} and {@code flash[:q=ROWS,kv=KEYS]}. */
public final class AttentionKernels {

    /** Query rows per flash tile unless the spec says otherwise (chosen by measurement, PERFORMANCE-attention.md). */
    public static final int DEFAULT_QUERY_TILE = 64;
    /** Keys per flash tile unless the spec says otherwise (chosen by measurement, PERFORMANCE-attention.md). */
    public static final int DEFAULT_KEY_TILE = 128;
    private static final int MAX_TILE = 4096;

    private AttentionKernels() {
    }

    /**
     * The kernel for {@code spec} ({@code NAME[:k=v,...]}).
     *
     * @param deterministic results bit-identical run to run and for any thread count (see {@link FlashAttention})
     * @throws IllegalArgumentException for an unknown name or parameter, or a parameter out of range
     */
    public static AttentionKernel resolve(String spec, boolean deterministic) {
        KernelSpec parsed = KernelSpec.parse(spec);
        switch (parsed.name()) {
            case "naive" -> {
                parsed.requireOnly();
                return new NaiveAttention();
            }
            case "flash" -> {
                parsed.requireOnly("q", "kv");
                int queryTile = parsed.intParam("q", DEFAULT_QUERY_TILE, 1, MAX_TILE);
                int keyTile = parsed.intParam("kv", DEFAULT_KEY_TILE, CpuKvCache.KEY_BLOCK, MAX_TILE);
                if (keyTile % CpuKvCache.KEY_BLOCK != 0) {
                    throw new IllegalArgumentException("attention parameter kv=" + keyTile + " is not a multiple of "
                            + CpuKvCache.KEY_BLOCK + "; " + help());
                }
                return new FlashAttention(queryTile, keyTile, deterministic);
            }
            default -> throw new IllegalArgumentException("unknown attention kernel '" + parsed.name() + "'; "
                    + help());
        }
    }

    /** The kernel names {@link #resolve} accepts. */
    public static List<String> names() {
        return List.of("naive", "flash");
    }

    static String help() {
        return "valid kernels: naive (no parameters), flash[:q=ROWS,kv=KEYS] with q = query rows per tile in [1, "
                + MAX_TILE + "] (default " + DEFAULT_QUERY_TILE + ") and kv = keys per tile, a multiple of "
                + CpuKvCache.KEY_BLOCK + " up to " + MAX_TILE + " (default " + DEFAULT_KEY_TILE + ")";
    }
}
