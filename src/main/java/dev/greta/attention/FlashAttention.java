package dev.greta.attention;

import dev.greta.backend.cpu.Parallel;

import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

import static dev.greta.attention.CpuKvCache.KEY_BLOCK;
import static dev.greta.attention.VectorMath.LANES;
import static dev.greta.attention.VectorMath.SPECIES;

/**
 * {@code flash:q=ROWS,kv=KEYS}, FlashAttention-2 on the CPU. A work unit is a tile of {@code q} query rows
 * together with every query head of one KV-head group: their (pre-scaled) queries stay resident in the worker's
 * scratch while the KV head's keys and values stream through in tiles of {@code kv} positions, so each K/V load
 * serves rows x group-size queries (the CPU counterpart of keeping Q in shared memory). Per tile: scores of all
 * queries against the tile's keys (one matrix product on the transposed key blocks), then an online softmax per
 * query (reference max m and sum l; weights are 2^(s - m) in base-2 units, and only when a tile's max exceeds m by
 * more than {@link #RESCALE_MARGIN} is m raised and the accumulator and l rescaled by 2^(m_old - m_new)),
 * then the accumulator gains weights x the tile's values (a second matrix product). No full score row exists;
 * tiles after a unit's last row are never loaded, and rows whose positions precede a tile skip it. The
 * output is accumulator / l.
 *
 * <p><b>Deterministic mode</b> runs exactly those (query tile, KV head) units: every output element's sums run
 * over the same key tiles in the same order whichever worker takes the unit, so results are bit-identical run to
 * run and for any thread count. <b>Otherwise</b>, when there are fewer units than threads (decode: one query
 * tile, a handful of KV heads, many cores), the key range of each unit is also split into parts run in parallel,
 * whose partial (m, l, accumulator) are merged by rescaling to the common maximum; the split depends on the
 * thread count, so results may differ in the last bits between thread counts (never between runs with the same
 * pool).
 */
final class FlashAttention implements AttentionKernel {

    /** Fewest key tiles a split part gets, so merging stays cheap next to the part's work. */
    private static final int MIN_TILES_PER_PART = 4;
    /**
     * How far (in base-2 units) a tile's maximum may exceed a slot's reference before the slot is rescaled: weights
     * stay below 2^8, far from float overflow, and rescales (with their recomputed score row) stay rare.
     */
    private static final float RESCALE_MARGIN = 8f;
    /**
     * Query slots (rows x group heads) taken through one key tile together, a multiple of Gemm's 6-row block; its
     * 48 x 128 score block is 24 KiB, within L1. (24, 48 and 96 measured alike, PERFORMANCE-attention.md.)
     */
    private static final int SLOT_BLOCK = 48;

    private final int queryTile;
    private final int keyTile;
    private final boolean deterministic;
    private Worker[] workers = new Worker[0];
    private AttentionShape workersShape;
    private float[] partMax = new float[0];
    private float[] partSum = new float[0];
    private float[] partAcc = new float[0];

    FlashAttention(int queryTile, int keyTile, boolean deterministic) {
        this.queryTile = queryTile;
        this.keyTile = keyTile;
        this.deterministic = deterministic;
    }

    @Override
    public String name() {
        return "flash:q=" + queryTile + ",kv=" + keyTile;
    }

    @Override
    public void attend(float[] q, int rows, int startPos, CpuKvCache cache, int layer, float[] out,
                       AttentionShape shape, Parallel pool) {
        AttentionArgs.check(q, rows, startPos, cache, layer, out, shape, pool);
        if (rows == 0) return;
        if (workers.length != pool.threads() || !shape.equals(workersShape)) {
            workers = new Worker[pool.threads()];
            for (int w = 0; w < workers.length; w++) workers[w] = new Worker(shape);
            workersShape = shape;
        }
        int kvHeads = shape.kvHeads();
        int queryTiles = (rows + queryTile - 1) / queryTile;
        int pairs = queryTiles * kvHeads;
        int keyTiles = (startPos + rows + keyTile - 1) / keyTile;
        int parts = deterministic ? 1 : parts(pairs, keyTiles, pool.threads());
        // Pair numbering: latest query tile (most keys) first.
        if (parts == 1) {
            Units.run(pool, pairs, (pair, w) -> {
                int rowFrom = (queryTiles - 1 - pair / kvHeads) * queryTile;
                int rowTo = Math.min(rows, rowFrom + queryTile);
                Worker worker = workers[w];
                worker.run(q, rowFrom, rowTo, pair % kvHeads, startPos, cache, layer, 0, keyTiles);
                worker.writeOut(out, rowFrom, rowTo, pair % kvHeads);
            });
            return;
        }
        int slot = Math.min(rows, queryTile) * shape.groupSize();
        ensurePartials(pairs * parts, slot, shape.headDim());
        Units.run(pool, pairs * parts, (unit, w) -> {
            int pair = unit / parts;
            int part = unit % parts;
            int rowFrom = (queryTiles - 1 - pair / kvHeads) * queryTile;
            int rowTo = Math.min(rows, rowFrom + queryTile);
            Worker worker = workers[w];
            worker.run(q, rowFrom, rowTo, pair % kvHeads, startPos, cache, layer,
                    (int) ((long) keyTiles * part / parts), (int) ((long) keyTiles * (part + 1) / parts));
            worker.savePartial(unit * slot, (rowTo - rowFrom) * shape.groupSize(), partMax, partSum, partAcc);
        });
        Units.run(pool, pairs, (pair, w) -> {
            int rowFrom = (queryTiles - 1 - pair / kvHeads) * queryTile;
            int rowTo = Math.min(rows, rowFrom + queryTile);
            Worker worker = workers[w];
            worker.merge(pair * parts * slot, slot, parts, (rowTo - rowFrom) * shape.groupSize(),
                    partMax, partSum, partAcc);
            worker.writeOut(out, rowFrom, rowTo, pair % kvHeads);
        });
    }

    /**
     * Key-range parts per unit: 1 while every thread has a unit; otherwise enough parts for two units per thread,
     * each at least MIN_TILES_PER_PART key tiles. (Splitting when units merely don't divide evenly measured slower:
     * decode is bound by memory bandwidth, and the merge costs a second pass.)
     */
    private static int parts(int pairs, int keyTiles, int threads) {
        if (pairs >= threads) return 1;
        int wanted = (2 * threads + pairs - 1) / pairs;
        return Math.max(1, Math.min(wanted, keyTiles / MIN_TILES_PER_PART));
    }

    private void ensurePartials(int units, int slot, int headDim) {
        int states = units * slot;
        if (partMax.length < states) {
            partMax = new float[states];
            partSum = new float[states];
        }
        if (partAcc.length < states * headDim) partAcc = new float[states * headDim];
    }

    /** One worker's resident query tile, score tile, running max/sum and accumulators. */
    private final class Worker {
        final AttentionShape shape;
        final int headDim;
        final int group;
        final float[] queries;
        final float[] scores;
        final float[] acc;
        final float[] max;
        /** Per slot, the running sum of weights lane by lane; its lanes are added once, into sum, at the end. */
        final float[] laneSums;
        final float[] sum;
        final KvTiles tiles;

        Worker(AttentionShape shape) {
            this.shape = shape;
            this.headDim = shape.headDim();
            this.group = shape.groupSize();
            int slots = queryTile * group;
            this.queries = new float[slots * headDim];
            this.scores = new float[SLOT_BLOCK * keyTile];
            this.acc = new float[slots * headDim];
            this.max = new float[slots];
            this.laneSums = new float[slots * LANES];
            this.sum = new float[slots];
            this.tiles = new KvTiles(keyTile, headDim);
        }

        /**
         * Online softmax of rows [rowFrom, rowTo) x the group of {@code kvHead} over key tiles [tileFrom, tileTo),
         * leaving un-normalised state in max/sum/acc. Query slot i is row rowFrom + i / group, head
         * kvHead * group + i % group. Each key tile is taken SLOT_BLOCK slots at a time (scores, softmax, P x V),
         * so the score block stays in L1 between the three steps; a slot's arithmetic is the same either way.
         */
        void run(float[] q, int rowFrom, int rowTo, int kvHead, int startPos, CpuKvCache cache, int layer,
                 int tileFrom, int tileTo) {
            int slots = (rowTo - rowFrom) * group;
            gatherQueries(q, rowFrom, rowTo, kvHead);
            Arrays.fill(max, 0, slots, Float.NEGATIVE_INFINITY);
            Arrays.fill(laneSums, 0, slots * LANES, 0f);
            Arrays.fill(acc, 0, slots * headDim, 0f);
            int lastPos = startPos + rowTo - 1;
            int tileEnd = Math.min(tileTo, lastPos / keyTile + 1);
            for (int t = tileFrom; t < tileEnd; t++) {
                int from = t * keyTile;
                int width = Math.min(keyTile, lastPos + 1 - from);
                int first = Math.max(0, from - startPos - rowFrom) * group;
                tiles.loadKeys(cache, layer, kvHead, from, width);
                tiles.loadValues(cache, layer, kvHead, from, width);
                for (int lo = first; lo < slots; lo += SLOT_BLOCK) {
                    int count = Math.min(SLOT_BLOCK, slots - lo);
                    for (int b = 0; b < width; b += KEY_BLOCK) {
                        Gemm.multiply(queries, lo * headDim, headDim,
                                tiles.keys, tiles.keysOffset + (long) b * headDim * Float.BYTES, KEY_BLOCK,
                                scores, b, keyTile, count, KEY_BLOCK, headDim, false);
                    }
                    for (int i = lo; i < lo + count; i++) {
                        int position = startPos + rowFrom + i / group;
                        update(i, (i - lo) * keyTile, Math.min(width, position - from + 1), width);
                    }
                    Gemm.multiply(scores, 0, keyTile, tiles.values, tiles.valuesOffset, headDim,
                            acc, lo * headDim, headDim, count, headDim, width, true);
                }
            }
            for (int i = 0; i < slots; i++) {
                sum[i] = VectorMath.sumLanes(FloatVector.fromArray(SPECIES, laneSums, i * LANES));
            }
        }

        /**
         * Folds slot i's scores for this tile (at {@code at} in the score block, the first {@code valid} of
         * {@code width} unmasked) into its state. Weights are taken relative to the slot's running reference max[i]
         * (the first tile's maximum), with no separate max pass; only when a tile's maximum exceeds the reference by
         * more than RESCALE_MARGIN are its weights discarded, the state rescaled to the new maximum and the row's
         * scores recomputed (bit-identical: Gemm's chains do not depend on blocking) and weighted again.
         */
        private void update(int i, int at, int valid, int width) {
            float reference = max[i];
            if (reference == Float.NEGATIVE_INFINITY) {
                reference = Softmax.max(scores, at, valid);
                max[i] = reference;
            }
            FloatVector before = FloatVector.fromArray(SPECIES, laneSums, i * LANES);
            float tileMax = Softmax.exponentiate(scores, at, valid, width, reference, laneSums, i * LANES);
            if (tileMax > reference + RESCALE_MARGIN) {
                float alpha = VectorMath.exp2(reference - tileMax);
                before.mul(alpha).intoArray(laneSums, i * LANES);
                Softmax.scale(acc, i * headDim, headDim, alpha);
                max[i] = tileMax;
                for (int b = 0; b < width; b += KEY_BLOCK) {
                    Gemm.multiply(queries, i * headDim, headDim,
                            tiles.keys, tiles.keysOffset + (long) b * headDim * Float.BYTES, KEY_BLOCK,
                            scores, at + b, keyTile, 1, KEY_BLOCK, headDim, false);
                }
                Softmax.exponentiate(scores, at, valid, width, tileMax, laneSums, i * LANES);
            }
        }

        private void gatherQueries(float[] q, int rowFrom, int rowTo, int kvHead) {
            float scale = (float) (shape.scale() * Softmax.LOG2_E);
            int qDim = shape.qDim();
            int span = group * headDim;
            for (int r = rowFrom; r < rowTo; r++) {
                int src = r * qDim + kvHead * span;
                int dst = (r - rowFrom) * span;
                for (int j = 0; j < span; j++) queries[dst + j] = q[src + j] * scale;
            }
        }

        /** out rows [rowFrom, rowTo), heads of {@code kvHead}'s group = acc / sum. */
        void writeOut(float[] out, int rowFrom, int rowTo, int kvHead) {
            int qDim = shape.qDim();
            for (int r = rowFrom; r < rowTo; r++) {
                for (int g = 0; g < group; g++) {
                    int i = (r - rowFrom) * group + g;
                    Softmax.divide(acc, i * headDim, out, r * qDim + (kvHead * group + g) * headDim, headDim,
                            sum[i]);
                }
            }
        }

        void savePartial(int at, int slots, float[] maxes, float[] sums, float[] accs) {
            System.arraycopy(max, 0, maxes, at, slots);
            System.arraycopy(sum, 0, sums, at, slots);
            System.arraycopy(acc, 0, accs, at * headDim, slots * headDim);
        }

        /** acc/sum := the parts' states rescaled to their common max and added in part order. */
        void merge(int at, int slot, int parts, int slots, float[] maxes, float[] sums, float[] accs) {
            for (int i = 0; i < slots; i++) {
                float common = Float.NEGATIVE_INFINITY;
                for (int p = 0; p < parts; p++) common = Math.max(common, maxes[at + p * slot + i]);
                float total = 0;
                Arrays.fill(acc, i * headDim, (i + 1) * headDim, 0f);
                for (int p = 0; p < parts; p++) {
                    int state = at + p * slot + i;
                    if (sums[state] == 0) continue;
                    float weight = VectorMath.exp2(maxes[state] - common);
                    total += sums[state] * weight;
                    for (int d = 0; d < headDim; d++) {
                        acc[i * headDim + d] = Math.fma(accs[state * headDim + d], weight, acc[i * headDim + d]);
                    }
                }
                sum[i] = total;
            }
        }
    }
}
