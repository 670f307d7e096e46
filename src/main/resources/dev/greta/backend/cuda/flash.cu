// FlashAttention-2 style causal attention, fp32 SIMT. Compiled per configuration: the backend defines
// HEAD_DIM, GROUP (query heads per KV head), BQ (query rows per tile), BK (keys per tile), THREADS and KV_F16,
// so every loop bound below is a compile-time constant.
//
// One block owns one KV head g, the query rows [r0, r0 + BQ) of every query head of g's group (the tile of
// TILE_M = BQ * GROUP query vectors stays in shared memory for the whole block: "Q in LDS"), and one segment
// of key positions. It streams K/V tiles of BK positions through shared memory, so each K/V tile is read once
// for all GROUP heads; it keeps an online softmax per query vector and skips every tile past the causal
// frontier of its last query row. With one segment per row it writes normalised outputs; with several it
// writes unnormalised partials and their (max, sum), merged in order by attn_combine.
#include "greta_common.cuh"

#ifndef HEAD_DIM
#define HEAD_DIM 128
#endif
#ifndef GROUP
#define GROUP 4
#endif
#ifndef BQ
#define BQ 16
#endif
#ifndef BK
#define BK 32
#endif
#ifndef THREADS
#define THREADS 256
#endif
#ifndef KV_F16
#define KV_F16 0
#endif

#define TILE_M (BQ * GROUP)
#define QS (HEAD_DIM + 4)  // row strides in floats: float4-aligned, and shifted by 4 banks per row
#define KS (HEAD_DIM + 4)
#define VS HEAD_DIM
#define PS (BK + 4)
#define S_STEP (THREADS / BK)          // query vectors between a thread's score entries
#define S_ROWS ((TILE_M + S_STEP - 1) / S_STEP)
#define O_STEP (THREADS / HEAD_DIM)    // query vectors between a thread's output entries
#define O_ROWS ((TILE_M + O_STEP - 1) / O_STEP)
#define WARPS (THREADS / 32)

#if THREADS % BK != 0 || THREADS % HEAD_DIM != 0 || HEAD_DIM % 4 != 0 || BK % 4 != 0 || THREADS % 32 != 0
#error "flash configuration: THREADS must be a multiple of BK, HEAD_DIM and 32; HEAD_DIM and BK multiples of 4"
#endif

#if KV_F16
typedef unsigned short kv_t;
__device__ __forceinline__ float kv_value(unsigned short x) { return f16_to_f32(x); }
#else
typedef float kv_t;
__device__ __forceinline__ float kv_value(float x) { return x; }
#endif

extern "C" __global__ void __launch_bounds__(THREADS)
flash_attention(const float* __restrict__ q, int qCols, const kv_t* __restrict__ kCache,
                const kv_t* __restrict__ vCache, int maxSeq, int rows, int heads, int startPos, int segKeys,
                float scale, float* __restrict__ out, int outCols, float* __restrict__ partO,
                float* __restrict__ partMax, float* __restrict__ partSum, int partial,
                unsigned short* __restrict__ outBf16) {
    extern __shared__ float4 smem4[];
    float* Qs = reinterpret_cast<float*>(smem4);  // TILE_M x QS
    float* Ks = Qs + TILE_M * QS;                   // BK x KS
    float* Vs = Ks + BK * KS;                       // BK x VS
    float* Ps = Vs + BK * VS;                       // TILE_M x PS: scores, then probabilities
    float* rowMax = Ps + TILE_M * PS;               // running max per query vector
    float* rowSum = rowMax + TILE_M;                // running sum of exp(score - max)
    float* rowAlpha = rowSum + TILE_M;              // rescale factor of the current tile

    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int r0 = blockIdx.x * BQ, g = blockIdx.y, seg = blockIdx.z;
    const int tileRows = min(BQ, rows - r0);
    const int lastPos = startPos + r0 + tileRows - 1;
    const int segStart = seg * segKeys;
    if (segStart > lastPos) return;  // the whole segment lies past the causal frontier of this tile
    const int kvEnd = min(segStart + segKeys, lastPos + 1);

    for (int i = tid; i < TILE_M * HEAD_DIM; i += THREADS) {
        int m = i / HEAD_DIM, d = i % HEAD_DIM, r = m / GROUP, hl = m % GROUP;
        float v = 0.0f;
        if (r < tileRows) v = q[(long long) (r0 + r) * qCols + (g * GROUP + hl) * HEAD_DIM + d] * scale;
        Qs[m * QS + d] = v;
    }
    for (int m = tid; m < TILE_M; m += THREADS) {
        rowMax[m] = GRETA_NEG_INF;
        rowSum[m] = 0.0f;
    }

    const int sCol = tid % BK, sRow0 = tid / BK;          // score entries (sRow0 + i * S_STEP, sCol)
    const int oCol = tid % HEAD_DIM, oRow0 = tid / HEAD_DIM;  // output entries (oRow0 + i * O_STEP, oCol)
    float acc[O_ROWS];
#pragma unroll
    for (int i = 0; i < O_ROWS; ++i) acc[i] = 0.0f;

    const kv_t* kHead = kCache + (long long) g * maxSeq * HEAD_DIM;
    const kv_t* vHead = vCache + (long long) g * maxSeq * HEAD_DIM;

    for (int t0 = segStart; t0 < kvEnd; t0 += BK) {
        __syncthreads();  // the previous tile's readers are done (and Q / row stats are initialised)
        for (int i = tid; i < BK * HEAD_DIM; i += THREADS) {
            int n = i / HEAD_DIM, d = i % HEAD_DIM;
            float kv = 0.0f, vv = 0.0f;  // past kvEnd: zeros, never stale cache contents (could be NaN)
            if (t0 + n < kvEnd) {
                long long off = (long long) (t0 + n) * HEAD_DIM + d;
                kv = kv_value(kHead[off]);
                vv = kv_value(vHead[off]);
            }
            Ks[n * KS + d] = kv;
            Vs[n * VS + d] = vv;
        }
        __syncthreads();

        float s[S_ROWS];
#pragma unroll
        for (int i = 0; i < S_ROWS; ++i) s[i] = 0.0f;
        const float4* kRow = reinterpret_cast<const float4*>(Ks + sCol * KS);
#pragma unroll 4
        for (int d4 = 0; d4 < HEAD_DIM / 4; ++d4) {
            float4 k = kRow[d4];
#pragma unroll
            for (int i = 0; i < S_ROWS; ++i) {
                int m = min(sRow0 + i * S_STEP, TILE_M - 1);
                float4 a = reinterpret_cast<const float4*>(Qs + m * QS)[d4];
                s[i] = fmaf(a.x, k.x, s[i]);
                s[i] = fmaf(a.y, k.y, s[i]);
                s[i] = fmaf(a.z, k.z, s[i]);
                s[i] = fmaf(a.w, k.w, s[i]);
            }
        }
        const int kPos = t0 + sCol;
#pragma unroll
        for (int i = 0; i < S_ROWS; ++i) {
            int m = sRow0 + i * S_STEP;
            if (m < TILE_M) {
                int r = m / GROUP;
                bool visible = r < tileRows && kPos <= startPos + r0 + r && kPos < kvEnd;
                Ps[m * PS + sCol] = visible ? s[i] : GRETA_NEG_INF;
            }
        }
        __syncthreads();

        // Online softmax, one warp per query vector; lane partials in a fixed order.
        for (int m = warp; m < TILE_M; m += WARPS) {
            float mx = GRETA_NEG_INF;
            for (int n = lane; n < BK; n += 32) mx = fmaxf(mx, Ps[m * PS + n]);
            mx = warp_max(mx);
            const float oldMax = rowMax[m];
            const float newMax = fmaxf(oldMax, mx);
            float sum = 0.0f;
            for (int n = lane; n < BK; n += 32) {
                float sc = Ps[m * PS + n];
                float p = sc == GRETA_NEG_INF ? 0.0f : expf(sc - newMax);
                Ps[m * PS + n] = p;
                sum += p;
            }
            sum = warp_sum(sum);
            if (lane == 0) {
                float alpha = oldMax == GRETA_NEG_INF ? 0.0f : expf(oldMax - newMax);
                rowAlpha[m] = alpha;
                rowSum[m] = rowSum[m] * alpha + sum;
                rowMax[m] = newMax;
            }
        }
        __syncthreads();

#pragma unroll
        for (int i = 0; i < O_ROWS; ++i) {
            int m = min(oRow0 + i * O_STEP, TILE_M - 1);
            acc[i] *= rowAlpha[m];
        }
#pragma unroll 2
        for (int n = 0; n < BK; n += 4) {
            float v0 = Vs[n * VS + oCol], v1 = Vs[(n + 1) * VS + oCol];
            float v2 = Vs[(n + 2) * VS + oCol], v3 = Vs[(n + 3) * VS + oCol];
#pragma unroll
            for (int i = 0; i < O_ROWS; ++i) {
                int m = min(oRow0 + i * O_STEP, TILE_M - 1);
                float4 p = reinterpret_cast<const float4*>(Ps + m * PS)[n / 4];
                acc[i] = fmaf(p.x, v0, acc[i]);
                acc[i] = fmaf(p.y, v1, acc[i]);
                acc[i] = fmaf(p.z, v2, acc[i]);
                acc[i] = fmaf(p.w, v3, acc[i]);
            }
        }
    }

#pragma unroll
    for (int i = 0; i < O_ROWS; ++i) {
        int m = oRow0 + i * O_STEP;
        if (m >= TILE_M) continue;
        int r = m / GROUP, h = g * GROUP + m % GROUP;
        if (r >= tileRows) continue;
        long long row = r0 + r;
        if (!partial) {
            const long long at = row * outCols + (long long) h * HEAD_DIM + oCol;
            out[at] = acc[i] / rowSum[m];
            if (outBf16 != nullptr) outBf16[at] = f32_to_bf16(out[at]);
        } else {
            long long at = ((long long) seg * rows + row) * heads + h;
            partO[at * HEAD_DIM + oCol] = acc[i];
            if (oCol == 0) {
                partMax[at] = rowMax[m];
                partSum[at] = rowSum[m];
            }
        }
    }
}
