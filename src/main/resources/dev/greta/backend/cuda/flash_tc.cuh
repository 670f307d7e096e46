// Pieces shared by the tensor-core flash kernels (flash_mma.cu: mma.sync, flash_wgmma.cu: Hopper wgmma). Both
// hold, per warp, 16 query vectors x 8-key n-tiles of scores in the mma accumulator layout: thread (gq, tq) of a
// quad owns rows gq ("lo") and gq + 8 ("hi"), columns 2 tq and 2 tq + 1 of every n-tile; the same layout, packed
// to f16 pairs, is the A operand of O += P V. Include after HEAD_DIM and GROUP are defined.
#pragma once
#include "greta_common.cuh"

#define LOG2E 1.4426950408889634f
#define LN2 0.6931471805599453f

__device__ __forceinline__ unsigned int pack_half2(float lo, float hi) {
    unsigned int r;
    asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));  // first source -> upper half
    return r;
}

__device__ __forceinline__ unsigned int load_u32(const unsigned short* p) {
    return *reinterpret_cast<const unsigned int*>(p);
}

__device__ __forceinline__ unsigned int shared_address(const void* p) {
    unsigned int r;
    asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(r) : "l"(p));
    return r;
}

// 16 bytes global -> shared without passing through registers; bytes = 0 writes zeros (keys past the end).
__device__ __forceinline__ void copy16_async(unsigned int dst, const void* src, int bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(dst), "l"(src), "r"(bytes));
}

__device__ __forceinline__ void commit_async() { asm volatile("cp.async.commit_group;"); }

// 2^x on the special-function unit (2 ulp; inputs are <= 0 here, -inf gives 0).
__device__ __forceinline__ float fast_exp2(float x) {
    float r;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(x));
    return r;
}

// 8 consecutive floats (16-byte aligned), times scale, as 8 halves in one 16-byte value; zeros unless valid.
__device__ __forceinline__ uint4 f32x8_to_f16(const float* p, bool valid, float scale) {
    if (!valid) return make_uint4(0, 0, 0, 0);
    const float4 a = reinterpret_cast<const float4*>(p)[0], b = reinterpret_cast<const float4*>(p)[1];
    return make_uint4(pack_half2(a.x * scale, a.y * scale), pack_half2(a.z * scale, a.w * scale),
                      pack_half2(b.x * scale, b.y * scale), pack_half2(b.z * scale, b.w * scale));
}

// Moves the 16-byte f16 piece at element offset off of a head's keys and values into shared memory: an f16 cache
// streams asynchronously (cp.async), an f32 cache is converted on the way. Keys past the end (!inKeys) become
// zeros, never stale cache contents.
__device__ __forceinline__ void load_kv_piece(void* kDst, void* vDst, const unsigned short* kHead,
                                              const unsigned short* vHead, long long off, bool inKeys) {
    copy16_async(shared_address(kDst), kHead + (inKeys ? off : 0), inKeys ? 16 : 0);
    copy16_async(shared_address(vDst), vHead + (inKeys ? off : 0), inKeys ? 16 : 0);
}

__device__ __forceinline__ void load_kv_piece(void* kDst, void* vDst, const float* kHead, const float* vHead,
                                              long long off, bool inKeys) {
    *reinterpret_cast<uint4*>(kDst) = f32x8_to_f16(kHead + off, inKeys, 1.0f);
    *reinterpret_cast<uint4*>(vDst) = f32x8_to_f16(vHead + off, inKeys, 1.0f);
}

// Q rows (r0 + r, heads of KV head g) of a tile of tileM query vectors -> f16 in shared memory, pre-scaled so that
// scores come out in log2 units. Vector m of the tile is row m / GROUP, head g * GROUP + m % GROUP.
__device__ __forceinline__ void stage_q(unsigned short* Qs, int qStride, const float* q, int qCols, int r0,
                                        int tileRows, int g, float qScale, int tileM, int tid, int threads) {
    for (int i = tid; i < tileM * (HEAD_DIM / 4); i += threads) {
        const int m = i / (HEAD_DIM / 4), d = (i % (HEAD_DIM / 4)) * 4, r = m / GROUP, hl = m % GROUP;
        float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        if (r < tileRows) {
            v = *reinterpret_cast<const float4*>(q + (long long) (r0 + r) * qCols + (g * GROUP + hl) * HEAD_DIM + d);
        }
        *reinterpret_cast<uint2*>(Qs + m * qStride + d) =
                make_uint2(pack_half2(v.x * qScale, v.y * qScale), pack_half2(v.z * qScale, v.w * qScale));
    }
}

// Causal mask and the end of the keys: scores of keys past kvEnd or after a row's position become -inf.
template <int S_TILES>
__device__ __forceinline__ void mask_scores(float (&s)[S_TILES][4], int t0, int tq, int kvEnd, int posLo, int posHi) {
#pragma unroll
    for (int nt = 0; nt < S_TILES; ++nt) {
#pragma unroll
        for (int j = 0; j < 2; ++j) {
            const int kPos = t0 + nt * 8 + 2 * tq + j;
            const bool inKeys = kPos < kvEnd;
            if (!(inKeys && kPos <= posLo)) s[nt][j] = GRETA_NEG_INF;
            if (!(inKeys && kPos <= posHi)) s[nt][2 + j] = GRETA_NEG_INF;
        }
    }
}

// One online-softmax step over a tile of scores (log2 units): updates the running maxima and this thread's share
// of the sums, rescales O where a maximum moved, and leaves the probabilities in pa as the f16 A operand of P V
// (the S accumulators of n-tiles 2kc and 2kc+1 are exactly the A fragment of k-step kc).
template <int S_TILES, int O_TILES>
__device__ __forceinline__ void softmax_step(float (&s)[S_TILES][4], float (&o)[O_TILES][4], float& maxLo, float& maxHi,
                                             float& sumLo, float& sumHi, unsigned int (&pa)[S_TILES / 2][4]) {
    float tileLo = GRETA_NEG_INF, tileHi = GRETA_NEG_INF;
#pragma unroll
    for (int nt = 0; nt < S_TILES; ++nt) {
        tileLo = fmaxf(tileLo, fmaxf(s[nt][0], s[nt][1]));
        tileHi = fmaxf(tileHi, fmaxf(s[nt][2], s[nt][3]));
    }
    tileLo = fmaxf(tileLo, __shfl_xor_sync(0xffffffffu, tileLo, 1));
    tileLo = fmaxf(tileLo, __shfl_xor_sync(0xffffffffu, tileLo, 2));
    tileHi = fmaxf(tileHi, __shfl_xor_sync(0xffffffffu, tileHi, 1));
    tileHi = fmaxf(tileHi, __shfl_xor_sync(0xffffffffu, tileHi, 2));
    const float newLo = fmaxf(maxLo, tileLo), newHi = fmaxf(maxHi, tileHi);
    // A row with no visible key yet keeps max -inf: subtract 0 instead, so exp2(-inf - 0) = 0, never NaN.
    const float baseLo = newLo == GRETA_NEG_INF ? 0.0f : newLo;
    const float baseHi = newHi == GRETA_NEG_INF ? 0.0f : newHi;
    const float alphaLo = fast_exp2(maxLo - baseLo), alphaHi = fast_exp2(maxHi - baseHi);
    maxLo = newLo;
    maxHi = newHi;

    float rowLo = 0.0f, rowHi = 0.0f;
#pragma unroll
    for (int nt = 0; nt < S_TILES; ++nt) {
#pragma unroll
        for (int j = 0; j < 2; ++j) {
            s[nt][j] = fast_exp2(s[nt][j] - baseLo);
            s[nt][2 + j] = fast_exp2(s[nt][2 + j] - baseHi);
            rowLo += s[nt][j];
            rowHi += s[nt][2 + j];
        }
    }
    sumLo = sumLo * alphaLo + rowLo;
    sumHi = sumHi * alphaHi + rowHi;
    // Once the row maxima settle (most tiles of a long context), every alpha is exactly 1: the warp then skips the
    // rescale, which would not change a bit.
    if (__any_sync(0xffffffffu, alphaLo != 1.0f || alphaHi != 1.0f)) {
#pragma unroll
        for (int nt = 0; nt < O_TILES; ++nt) {
            o[nt][0] *= alphaLo;
            o[nt][1] *= alphaLo;
            o[nt][2] *= alphaHi;
            o[nt][3] *= alphaHi;
        }
    }
#pragma unroll
    for (int kc = 0; kc < S_TILES / 2; ++kc) {
        pa[kc][0] = pack_half2(s[2 * kc][0], s[2 * kc][1]);
        pa[kc][1] = pack_half2(s[2 * kc][2], s[2 * kc][3]);
        pa[kc][2] = pack_half2(s[2 * kc + 1][0], s[2 * kc + 1][1]);
        pa[kc][3] = pack_half2(s[2 * kc + 1][2], s[2 * kc + 1][3]);
    }
}

// Writes the 16 query vectors (mLo, mLo + 8) of one m-tile: normalised rows into out (and, with outBf16, the same
// rounded to bf16 at the same offsets: the input of the output projection's GEMM), or, for a key segment of a
// split launch, the unnormalised rows and their max / sum for attn_combine.
template <int O_TILES>
__device__ __forceinline__ void store_rows(const float (&o)[O_TILES][4], float sumLo, float sumHi, float maxLo,
                                           float maxHi, int mLo, int tq, int tileRows, int r0, int g, int rows,
                                           int heads, int seg, int partial, float* out, int outCols, float* partO,
                                           float* partMax, float* partSum, unsigned short* outBf16) {
    float sums[2] = {sumLo, sumHi};
#pragma unroll
    for (int half = 0; half < 2; ++half) {
        sums[half] += __shfl_xor_sync(0xffffffffu, sums[half], 1);
        sums[half] += __shfl_xor_sync(0xffffffffu, sums[half], 2);
        const int m = mLo + 8 * half;
        const int r = m / GROUP, h = g * GROUP + m % GROUP;
        if (r >= tileRows) continue;
        const long long row = r0 + r;
        const float rowSum = sums[half], rowMax = half == 0 ? maxLo : maxHi;
        if (!partial) {
            const long long at = row * outCols + (long long) h * HEAD_DIM + 2 * tq;
            const float inv = 1.0f / rowSum;
#pragma unroll
            for (int nt = 0; nt < O_TILES; ++nt) {
                const float lo = o[nt][2 * half] * inv, hi = o[nt][2 * half + 1] * inv;
                *reinterpret_cast<float2*>(out + at + nt * 8) = make_float2(lo, hi);
                if (outBf16 != nullptr) *reinterpret_cast<unsigned int*>(outBf16 + at + nt * 8) = f32x2_to_bf16(lo, hi);
            }
        } else {
            const long long at = ((long long) seg * rows + row) * heads + h;
            float* dst = partO + at * HEAD_DIM + 2 * tq;
#pragma unroll
            for (int nt = 0; nt < O_TILES; ++nt) {
                *reinterpret_cast<float2*>(dst + nt * 8) = make_float2(o[nt][2 * half], o[nt][2 * half + 1]);
            }
            if (tq == 0) {
                partMax[at] = rowMax * LN2;  // attn_combine works in natural-log units
                partSum[at] = rowSum;
            }
        }
    }
}
