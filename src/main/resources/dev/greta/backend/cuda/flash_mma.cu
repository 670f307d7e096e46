// FlashAttention-2 style causal attention on tensor cores: mma.sync m16n8k16 with f16 inputs and f32
// accumulators. Same contract and launch parameters as flash.cu (one block per KV head g x query-row tile x key
// segment; online softmax; partials merged by attn_combine), compiled per configuration with HEAD_DIM, GROUP, BQ
// (query rows per tile; BQ * GROUP a multiple of 16), BK (keys per tile, a multiple of 16) and KV_F16.
//
// Each warp owns 16 query vectors. Their Q fragments stay in registers for the whole block; S = Q K^T, the
// softmax and the f16 probabilities never leave registers (the S accumulator layout is reused as the A operand
// of P V). K tiles sit in shared memory row-major, V tiles transposed, both f16, each row padded by 16 bytes so
// that fragment loads hit 32 different banks.
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
#define BK 64
#endif
#ifndef KV_F16
#define KV_F16 1
#endif

#define TILE_M (BQ * GROUP)
#define WARPS (TILE_M / 16)
#define THREADS (WARPS * 32)
#define QSTR (HEAD_DIM + 8)  // row strides in halves
#define KSTR (HEAD_DIM + 8)
#define VSTR (BK + 8)
#define DK (HEAD_DIM / 16)  // k-steps of S = Q K^T
#define NS (BK / 8)         // n-tiles of S
#define KP (BK / 16)        // k-steps of O = P V
#define NO (HEAD_DIM / 8)   // n-tiles of O

#if TILE_M % 16 != 0 || HEAD_DIM % 16 != 0 || BK % 16 != 0
#error "flash_mma configuration: BQ * GROUP, HEAD_DIM and BK must be multiples of 16"
#endif

#if KV_F16
typedef unsigned short kv_t;
__device__ __forceinline__ unsigned short kv_half(unsigned short x) { return x; }
#else
typedef float kv_t;
__device__ __forceinline__ unsigned short kv_half(float x) { return f32_to_f16(x); }
#endif

__device__ __forceinline__ unsigned int pack_half2(float lo, float hi) {
    return (unsigned int) f32_to_f16(lo) | ((unsigned int) f32_to_f16(hi) << 16);
}

__device__ __forceinline__ unsigned int load_u32(const unsigned short* p) {
    return *reinterpret_cast<const unsigned int*>(p);
}

// c += a (16x16, row) * b (16x8, col); f16 inputs, f32 accumulators.
__device__ __forceinline__ void mma_16816(float* c, const unsigned int* a, unsigned int b0, unsigned int b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                 "{%0,%1,%2,%3};"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

extern "C" __global__ void __launch_bounds__(THREADS)
flash_attention(const float* __restrict__ q, int qCols, const kv_t* __restrict__ kCache,
                const kv_t* __restrict__ vCache, int maxSeq, int rows, int heads, int startPos, int segKeys,
                float scale, float* __restrict__ out, int outCols, float* __restrict__ partO,
                float* __restrict__ partMax, float* __restrict__ partSum, int partial) {
    extern __shared__ float4 smem4[];
    unsigned short* Qs = reinterpret_cast<unsigned short*>(smem4);  // TILE_M x QSTR
    unsigned short* Ks = Qs + TILE_M * QSTR;                          // BK x KSTR
    unsigned short* Vt = Ks + BK * KSTR;                              // HEAD_DIM x VSTR (transposed)

    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int gq = lane >> 2, tq = lane & 3;  // mma fragment coordinates: row group, thread in quad
    const int r0 = blockIdx.x * BQ, g = blockIdx.y, seg = blockIdx.z;
    const int tileRows = min(BQ, rows - r0);
    const int lastPos = startPos + r0 + tileRows - 1;
    const int segStart = seg * segKeys;
    if (segStart > lastPos) return;
    const int kvEnd = min(segStart + segKeys, lastPos + 1);

    for (int i = tid; i < TILE_M * HEAD_DIM; i += THREADS) {
        int m = i / HEAD_DIM, d = i % HEAD_DIM, r = m / GROUP, hl = m % GROUP;
        float v = 0.0f;
        if (r < tileRows) v = q[(long long) (r0 + r) * qCols + (g * GROUP + hl) * HEAD_DIM + d] * scale;
        Qs[m * QSTR + d] = f32_to_f16(v);
    }
    __syncthreads();

    // This thread's two query vectors (fragment rows gq and gq + 8 of its warp) and their query positions.
    const int mLo = warp * 16 + gq, mHi = mLo + 8;
    const int posLo = (mLo / GROUP) < tileRows ? startPos + r0 + mLo / GROUP : -1;  // -1: padding row
    const int posHi = (mHi / GROUP) < tileRows ? startPos + r0 + mHi / GROUP : -1;

    unsigned int qa[DK][4];
#pragma unroll
    for (int kt = 0; kt < DK; ++kt) {
        const int c = kt * 16 + 2 * tq;
        qa[kt][0] = load_u32(Qs + mLo * QSTR + c);
        qa[kt][1] = load_u32(Qs + mHi * QSTR + c);
        qa[kt][2] = load_u32(Qs + mLo * QSTR + c + 8);
        qa[kt][3] = load_u32(Qs + mHi * QSTR + c + 8);
    }

    float o[NO][4];
#pragma unroll
    for (int nt = 0; nt < NO; ++nt) o[nt][0] = o[nt][1] = o[nt][2] = o[nt][3] = 0.0f;
    float maxLo = GRETA_NEG_INF, maxHi = GRETA_NEG_INF, sumLo = 0.0f, sumHi = 0.0f;

    const kv_t* kHead = kCache + (long long) g * maxSeq * HEAD_DIM;
    const kv_t* vHead = vCache + (long long) g * maxSeq * HEAD_DIM;

    for (int t0 = segStart; t0 < kvEnd; t0 += BK) {
        __syncthreads();  // every warp is done with the previous K/V tile
        for (int i = tid; i < BK * HEAD_DIM; i += THREADS) {
            int n = i / HEAD_DIM, d = i % HEAD_DIM;
            unsigned short kh = 0, vh = 0;  // past kvEnd: zeros, never stale cache contents
            if (t0 + n < kvEnd) {
                long long off = (long long) (t0 + n) * HEAD_DIM + d;
                kh = kv_half(kHead[off]);
                vh = kv_half(vHead[off]);
            }
            Ks[n * KSTR + d] = kh;
            Vt[d * VSTR + n] = vh;
        }
        __syncthreads();

        float s[NS][4];
#pragma unroll
        for (int nt = 0; nt < NS; ++nt) {
            s[nt][0] = s[nt][1] = s[nt][2] = s[nt][3] = 0.0f;
            const unsigned short* kRow = Ks + (nt * 8 + gq) * KSTR + 2 * tq;
#pragma unroll
            for (int kt = 0; kt < DK; ++kt) mma_16816(s[nt], qa[kt], load_u32(kRow + kt * 16), load_u32(kRow + kt * 16 + 8));
        }

        // Causal mask and the tile's row maxima (each row's 4 quad threads hold its BK columns between them).
        float tileLo = GRETA_NEG_INF, tileHi = GRETA_NEG_INF;
#pragma unroll
        for (int nt = 0; nt < NS; ++nt) {
#pragma unroll
            for (int j = 0; j < 2; ++j) {
                const int kPos = t0 + nt * 8 + 2 * tq + j;
                const bool inKeys = kPos < kvEnd;
                if (!(inKeys && kPos <= posLo)) s[nt][j] = GRETA_NEG_INF;
                if (!(inKeys && kPos <= posHi)) s[nt][2 + j] = GRETA_NEG_INF;
                tileLo = fmaxf(tileLo, s[nt][j]);
                tileHi = fmaxf(tileHi, s[nt][2 + j]);
            }
        }
        tileLo = fmaxf(tileLo, __shfl_xor_sync(0xffffffffu, tileLo, 1));
        tileLo = fmaxf(tileLo, __shfl_xor_sync(0xffffffffu, tileLo, 2));
        tileHi = fmaxf(tileHi, __shfl_xor_sync(0xffffffffu, tileHi, 1));
        tileHi = fmaxf(tileHi, __shfl_xor_sync(0xffffffffu, tileHi, 2));
        const float newLo = fmaxf(maxLo, tileLo), newHi = fmaxf(maxHi, tileHi);
        const float alphaLo = maxLo == GRETA_NEG_INF ? 0.0f : expf(maxLo - newLo);
        const float alphaHi = maxHi == GRETA_NEG_INF ? 0.0f : expf(maxHi - newHi);
        maxLo = newLo;
        maxHi = newHi;

        float rowLo = 0.0f, rowHi = 0.0f;
#pragma unroll
        for (int nt = 0; nt < NS; ++nt) {
#pragma unroll
            for (int j = 0; j < 2; ++j) {
                float pl = s[nt][j] == GRETA_NEG_INF ? 0.0f : expf(s[nt][j] - newLo);
                float ph = s[nt][2 + j] == GRETA_NEG_INF ? 0.0f : expf(s[nt][2 + j] - newHi);
                s[nt][j] = pl;
                s[nt][2 + j] = ph;
                rowLo += pl;
                rowHi += ph;
            }
        }
        rowLo += __shfl_xor_sync(0xffffffffu, rowLo, 1);
        rowLo += __shfl_xor_sync(0xffffffffu, rowLo, 2);
        rowHi += __shfl_xor_sync(0xffffffffu, rowHi, 1);
        rowHi += __shfl_xor_sync(0xffffffffu, rowHi, 2);
        sumLo = sumLo * alphaLo + rowLo;
        sumHi = sumHi * alphaHi + rowHi;
#pragma unroll
        for (int nt = 0; nt < NO; ++nt) {
            o[nt][0] *= alphaLo;
            o[nt][1] *= alphaLo;
            o[nt][2] *= alphaHi;
            o[nt][3] *= alphaHi;
        }

        // O += P V: the S accumulators of n-tiles 2kc and 2kc+1 are exactly the A fragment of k-step kc.
#pragma unroll
        for (int kc = 0; kc < KP; ++kc) {
            unsigned int pa[4];
            pa[0] = pack_half2(s[2 * kc][0], s[2 * kc][1]);
            pa[1] = pack_half2(s[2 * kc][2], s[2 * kc][3]);
            pa[2] = pack_half2(s[2 * kc + 1][0], s[2 * kc + 1][1]);
            pa[3] = pack_half2(s[2 * kc + 1][2], s[2 * kc + 1][3]);
#pragma unroll
            for (int nt = 0; nt < NO; ++nt) {
                const unsigned short* vRow = Vt + (nt * 8 + gq) * VSTR + kc * 16 + 2 * tq;
                mma_16816(o[nt], pa, load_u32(vRow), load_u32(vRow + 8));
            }
        }
    }

    // Rows: lo = fragment row gq, hi = gq + 8; columns nt * 8 + 2 tq (+1).
#pragma unroll
    for (int half = 0; half < 2; ++half) {
        const int m = half == 0 ? mLo : mHi;
        const int r = m / GROUP, h = g * GROUP + m % GROUP;
        if (r >= tileRows) continue;
        const long long row = r0 + r;
        const float rowSum = half == 0 ? sumLo : sumHi, rowMax = half == 0 ? maxLo : maxHi;
        if (!partial) {
            float* dst = out + row * outCols + (long long) h * HEAD_DIM + 2 * tq;
            const float inv = 1.0f / rowSum;
#pragma unroll
            for (int nt = 0; nt < NO; ++nt) {
                dst[nt * 8] = o[nt][2 * half] * inv;
                dst[nt * 8 + 1] = o[nt][2 * half + 1] * inv;
            }
        } else {
            const long long at = ((long long) seg * rows + row) * heads + h;
            float* dst = partO + at * HEAD_DIM + 2 * tq;
#pragma unroll
            for (int nt = 0; nt < NO; ++nt) {
                dst[nt * 8] = o[nt][2 * half];
                dst[nt * 8 + 1] = o[nt][2 * half + 1];
            }
            if (tq == 0) {
                partMax[at] = rowMax;
                partSum[at] = rowSum;
            }
        }
    }
}
