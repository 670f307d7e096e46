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

    /**
     * x[0, n) into room[0, n), each 32 activations reordered so that sub-vector k (room[8k, 8k + 8) of the group)
     * holds x[4i + k] in lane i: the order in which a kernel that loads 32 code bytes as 8 int lanes takes byte k
     * out of every lane.
     */
    static void byteLaneOrder(float[] x, int n, float[] room) {
        for (int g = 0; g < n; g += 32) {
            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < 8; i++) room[g + 8 * k + i] = x[g + 4 * i + k];
            }
        }
    }

    /**
     * {@link #byteLaneOrder} of x[0, n) into room[0, n), then room[n + j] = the sum of x[width * j, width * (j + 1)),
     * in order, for j < n / width: the input of formats whose codes carry a per-group minimum or offset.
     */
    static float[] byteLaneOrderWithSums(float[] x, int n, int width, float[] room) {
        byteLaneOrder(x, n, room);
        for (int j = 0; j < n / width; j++) {
            float sum = 0;
            for (int l = 0; l < width; l++) sum += x[width * j + l];
            room[n + j] = sum;
        }
        return room;
    }
}
