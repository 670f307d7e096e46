package dev.greta.tensor;

/**
 * A format whose one-token matmul dots its codes straight from memory, with no float row: the activations are
 * rearranged once per call ({@link #input}) to match how the kernel unpacks a block, then each row is one
 * {@link #dot}. For more tokens {@link Matmul} decodes each row once instead, which wins from two tokens on: the
 * fused dot converts every code once per token (Q8_0 1536x576, Zen 3, ns per weight and token: fused 0.13 at 1, 2
 * and 3 tokens; decoded 0.18-0.20 at 1, 0.12-0.18 at 2, 0.10-0.11 at 3).
 */
interface FusedDot {

    /** Floats {@link #input} may write into its room. */
    int inputRoom();

    /** One token's activations x (cols floats) as {@link #dot} reads them, in room or x itself. */
    float[] input(float[] x, float[] room);

    /**
     * Row {@code row} times the activations {@link #input} made. {@code scratch}: at least 16 floats of the
     * calling thread's own. The reduction order depends only on the row.
     */
    float dot(int row, float[] x, float[] scratch);
}
