// FlashAttention-2 style causal attention on Hopper's warpgroup tensor cores (wgmma, sm_90a): same contract and
// launch parameters as flash_mma.cu (one block per KV head g x query-row tile x key segment; online softmax;
// partials merged by attn_combine), compiled per configuration with HEAD_DIM (64 or 128), GROUP, BQ, BK (64 or
// 128) and KV_F16.
//
// Each warpgroup (4 warps) owns 64 query vectors; a block holds BQ x GROUP / 64 warpgroups sharing the K/V tiles.
// S = Q K^T is one chain of wgmma.m64nBKk16 over the head dimension with Q as the A operand (registers, loaded
// once; or shared memory, Q_SMEM);
// the softmax runs on the accumulators in registers as in flash_mma.cu (the wgmma accumulator layout of a warp is
// the mma.sync one repeated along n), and O += P V is a chain of wgmma.m64nHEAD_DIMk16 with the f16 probabilities
// as the register A operand. B operands (K, V) are read by the tensor cores straight from shared memory, where a
// tile is stored as HEAD_DIM / 64 slabs of BK keys x 128 bytes (64 dims), 16-byte pieces swizzled within 8-key
// groups (piece c of key n at c ^ (n % 8): the 128-byte swizzle of wgmma, so that the tensor cores' reads and
// the cp.async writes spread over all banks). The same bytes are a K-major B for S = Q K^T and an MN-major
// (transposed) B for P V. Tiles stream in with cp.async in two stages, as in flash_mma.cu. While one warpgroup
// waits for its wgmma, the SM runs the softmax of the other resident warpgroups.

#ifndef HEAD_DIM
#define HEAD_DIM 128
#endif
#ifndef GROUP
#define GROUP 1
#endif
#ifndef BQ
#define BQ 64
#endif
#ifndef BK
#define BK 64
#endif
#ifndef KV_F16
#define KV_F16 1
#endif
// Q_SMEM = 1: Q stays in shared memory (swizzled like K) and S = Q K^T reads it there, the A operand by descriptor:
// 32 registers per thread fewer for head dim 128, so that blocks of three warpgroups fit the register file.
#ifndef Q_SMEM
#define Q_SMEM 0
#endif

#define TILE_M (BQ * GROUP)
#define THREADS (TILE_M * 2)  // a warpgroup of 128 threads per 64 query vectors
#define QSTR (HEAD_DIM + 8)   // row stride of the Q staging tile, in halves
#define DB (HEAD_DIM / 8)     // 16-byte pieces of a key's row
#define SLAB (BK * 128)       // bytes of one 64-dim slab of a tile
#define QSLAB (TILE_M * 128)  // bytes of one 64-dim slab of the Q tile (Q_SMEM)
#define STAGE (BK * HEAD_DIM * 2)  // bytes of one K (or V) tile
#define DK (HEAD_DIM / 16)    // k-steps of S = Q K^T
#define NS (BK / 8)           // n-tiles of S
#define KP (BK / 16)          // k-steps of O = P V
#define NO (HEAD_DIM / 8)     // n-tiles of O

#include "flash_tc.cuh"

#if TILE_M % 64 != 0 || (HEAD_DIM != 64 && HEAD_DIM != 128) || (BK != 64 && BK != 128)
#error "flash_wgmma configuration: BQ * GROUP must be a multiple of 64, HEAD_DIM and BK 64 or 128"
#endif

#if KV_F16
typedef unsigned short kv_t;
#else
typedef float kv_t;
#endif

// The accumulator operands of the wgmma wrappers below: d[i .. i + 32) as "+f" operands, and the PTX register lists
// of 32 and 64 of them (operands %0 ...).
#define ACC4(i) "+f"(d[i]), "+f"(d[i + 1]), "+f"(d[i + 2]), "+f"(d[i + 3])
#define ACC8(i) ACC4(i), ACC4(i + 4)
#define ACC32(i) ACC8(i), ACC8(i + 8), ACC8(i + 16), ACC8(i + 24)
#define ACC_LIST32 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
                   "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}"
#define ACC_LIST64 "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
                   "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, " \
                   "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, " \
                   "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}"

// d (64 x N, f32) (+)= a (64 x 16, f16 registers) * b (16 x N, f16 in shared memory, described by desc);
// accumulate = 0 overwrites d. TRANS_B = 1: b is MN-major.
template <int TRANS_B>
__device__ __forceinline__ void wgmma_n64(float* d, const unsigned int* a, unsigned long long desc, int accumulate) {
    asm volatile("{ .reg .pred p; setp.ne.b32 p, %37, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16 " ACC_LIST32
                 ", {%32, %33, %34, %35}, %36, p, 1, 1, %38; }"
                 : ACC32(0)
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc), "r"(accumulate), "n"(TRANS_B));
}

template <int TRANS_B>
__device__ __forceinline__ void wgmma_n128(float* d, const unsigned int* a, unsigned long long desc, int accumulate) {
    asm volatile("{ .reg .pred p; setp.ne.b32 p, %69, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 " ACC_LIST64
                 ", {%64, %65, %66, %67}, %68, p, 1, 1, %70; }"
                 : ACC32(0), ACC32(32)
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc), "r"(accumulate), "n"(TRANS_B));
}

// d (64 x N, f32) (+)= a (64 x 16) * b (16 x N), both f16 in shared memory, K-major, described by descA / descB.
__device__ __forceinline__ void wgmma_ss_n64(float* d, unsigned long long descA, unsigned long long descB,
                                             int accumulate) {
    asm volatile("{ .reg .pred p; setp.ne.b32 p, %34, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16 " ACC_LIST32 ", %32, %33, p, 1, 1, 0, 0; }"
                 : ACC32(0)
                 : "l"(descA), "l"(descB), "r"(accumulate));
}

__device__ __forceinline__ void wgmma_ss_n128(float* d, unsigned long long descA, unsigned long long descB,
                                              int accumulate) {
    asm volatile("{ .reg .pred p; setp.ne.b32 p, %66, 0;\n"
                 "wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16 " ACC_LIST64 ", %64, %65, p, 1, 1, 0, 0; }"
                 : ACC32(0), ACC32(32)
                 : "l"(descA), "l"(descB), "r"(accumulate));
}

#if BK == 64
#define WGMMA_SS wgmma_ss_n64
#else
#define WGMMA_SS wgmma_ss_n128
#endif
#if BK == 64
#define WGMMA_S wgmma_n64<0>
#else
#define WGMMA_S wgmma_n128<0>
#endif
#if HEAD_DIM == 64
#define WGMMA_O wgmma_n64<1>
#else
#define WGMMA_O wgmma_n128<1>
#endif

__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }
__device__ __forceinline__ void wgmma_wait_all() { asm volatile("wgmma.wait_group.sync.aligned 0;" ::: "memory"); }
__device__ __forceinline__ void wait_async_all() { asm volatile("cp.async.wait_group 0;" ::: "memory"); }
// Orders this thread's completed cp.async writes before the tensor cores' (async proxy) reads of shared memory.
__device__ __forceinline__ void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;" ::: "memory"); }

// Shared-memory matrix descriptor, 128-byte swizzle: start address, leading and stride byte offsets (all >> 4).
__device__ __forceinline__ unsigned long long smem_desc(unsigned int addr, unsigned int leading, unsigned int stride) {
    return (unsigned long long) ((addr & 0x3FFFF) >> 4) | ((unsigned long long) (leading >> 4) << 16)
            | ((unsigned long long) (stride >> 4) << 32) | (1ull << 62);
}

// Starts loading keys/values [t0, t0 + BK) of one head into a stage (tile bases 1024-byte aligned, as the swizzle
// pattern repeats every 8 keys x 128 bytes). Consecutive threads read consecutive 16-byte pieces of a key's row.
// Positions at or past kvEnd become zeros, never stale cache contents. An f16 cache streams asynchronously; an
// f32 cache is converted on the way.
__device__ __forceinline__ void load_tile(unsigned char* Ks, unsigned char* Vs, const kv_t* kHead,
                                          const kv_t* vHead, int t0, int kvEnd, int tid) {
    for (int i = tid; i < BK * DB; i += THREADS) {
        const int n = i / DB, c = i % DB;
        const int at = (c >> 3) * SLAB + n * 128 + (((c & 7) ^ (n & 7)) << 4);
        const bool inKeys = t0 + n < kvEnd;
        load_kv_piece(Ks + at, Vs + at, kHead, vHead, (long long) (t0 + n) * HEAD_DIM + c * 8, inKeys);
    }
}

#if Q_SMEM
// Q rows of the tile -> f16 in shared memory, pre-scaled (see stage_q), in 64-dim slabs of TILE_M rows x 128 bytes
// swizzled as the K tiles are, so that each warpgroup's 64 rows are the A operand of S = Q K^T.
__device__ __forceinline__ void stage_q_swizzled(unsigned char* Qs, const float* q, int qCols, int r0, int tileRows,
                                                 int g, float qScale, int tid) {
    for (int i = tid; i < TILE_M * DB; i += THREADS) {
        const int m = i / DB, c = i % DB, r = m / GROUP, hl = m % GROUP;
        const float* src = q + (long long) (r0 + min(r, tileRows - 1)) * qCols + (g * GROUP + hl) * HEAD_DIM + c * 8;
        *reinterpret_cast<uint4*>(Qs + (c >> 3) * QSLAB + m * 128 + (((c & 7) ^ (m & 7)) << 4)) =
                f32x8_to_f16(src, r < tileRows, qScale);
    }
}
#endif

extern "C" __global__ void __launch_bounds__(THREADS)
flash_attention(const float* __restrict__ q, int qCols, const kv_t* __restrict__ kCache,
                const kv_t* __restrict__ vCache, int maxSeq, int rows, int heads, int startPos, int segKeys,
                float scale, float* __restrict__ out, int outCols, float* __restrict__ partO,
                float* __restrict__ partMax, float* __restrict__ partSum, int partial,
                unsigned short* __restrict__ outBf16) {
    // Unless Q_SMEM, the Q tile is only read once, into registers: the K/V stages reuse its shared memory. All
    // from the first 1024-byte boundary on (the launch asks for 1024 bytes more than the tiles need).
    extern __shared__ float4 smem4[];
    unsigned char* base = reinterpret_cast<unsigned char*>(smem4);
    base += (1024 - (shared_address(base) & 1023)) & 1023;
    unsigned char* Ks = base + (Q_SMEM ? HEAD_DIM / 64 * QSLAB : 0);  // 2 stages of K, then 2 of V
    unsigned char* Vs = Ks + 2 * STAGE;

    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int gq = lane >> 2, tq = lane & 3;  // fragment coordinates: row group, thread in quad
    // The last query tiles see the most keys: they are launched first so that short tiles fill the tail.
    const int r0 = (gridDim.x - 1 - blockIdx.x) * BQ, g = blockIdx.y, seg = blockIdx.z;
    const int tileRows = min(BQ, rows - r0);
    const int lastPos = startPos + r0 + tileRows - 1;
    const int segStart = seg * segKeys;
    if (segStart > lastPos) return;
    const int kvEnd = min(segStart + segKeys, lastPos + 1);
    const kv_t* kHead = kCache + (long long) g * maxSeq * HEAD_DIM;
    const kv_t* vHead = vCache + (long long) g * maxSeq * HEAD_DIM;

    // This thread's query vectors: rows gq and gq + 8 of its warp's 16 ("lo" and "hi"), their positions (-1: a
    // padding row past the tile's rows), and, unless Q_SMEM, their Q fragments (the wgmma register A operand,
    // mma.sync layout).
    const int mLo = warp * 16 + gq, mHi = mLo + 8;
    const int posLo = mLo / GROUP < tileRows ? startPos + r0 + mLo / GROUP : -1;
    const int posHi = mHi / GROUP < tileRows ? startPos + r0 + mHi / GROUP : -1;
#if Q_SMEM
    stage_q_swizzled(base, q, qCols, r0, tileRows, g, scale * LOG2E, tid);
    // this warpgroup's 64 rows as the A of S = Q K^T (K-major): the next 8 rows 1024 bytes on
    const unsigned long long qDesc = smem_desc(shared_address(base) + (warp / 4) * 64 * 128, 16, 1024);
#else
    unsigned short* Qs = reinterpret_cast<unsigned short*>(base);  // TILE_M x QSTR
    stage_q(Qs, QSTR, q, qCols, r0, tileRows, g, scale * LOG2E, TILE_M, tid, THREADS);
    __syncthreads();
    unsigned int qa[DK][4];
#pragma unroll
    for (int kt = 0; kt < DK; ++kt) {
        const int c = kt * 16 + 2 * tq;
        qa[kt][0] = load_u32(Qs + mLo * QSTR + c);
        qa[kt][1] = load_u32(Qs + mHi * QSTR + c);
        qa[kt][2] = load_u32(Qs + mLo * QSTR + c + 8);
        qa[kt][3] = load_u32(Qs + mHi * QSTR + c + 8);
    }
    __syncthreads();  // Q is in registers: its shared memory now holds K/V stages
#endif
    load_tile(Ks, Vs, kHead, vHead, segStart, kvEnd, tid);
    commit_async();

    float o[NO][4], s[NS][4];
#pragma unroll
    for (int nt = 0; nt < NO; ++nt) o[nt][0] = o[nt][1] = o[nt][2] = o[nt][3] = 0.0f;
#pragma unroll
    for (int nt = 0; nt < NS; ++nt) s[nt][0] = s[nt][1] = s[nt][2] = s[nt][3] = 0.0f;
    // Running maxima (log2 units) of the rows; sums are this thread's share, reduced over the quad at the end.
    float maxLo = GRETA_NEG_INF, maxHi = GRETA_NEG_INF, sumLo = 0.0f, sumHi = 0.0f;

    // K as the B of S = Q K^T (K-major): the next 8 keys 1024 bytes on (the leading offset is unused).
    // V as the B of P V (MN-major): the next 64 dims a slab on, the next 8 keys 1024 bytes on.
    const unsigned long long kDesc0 = smem_desc(shared_address(Ks), 16, 1024);
    const unsigned long long vDesc0 = smem_desc(shared_address(Vs), SLAB, 1024);

    int stage = 0;
    for (int t0 = segStart; t0 < kvEnd; t0 += BK, stage ^= 1) {
        wait_async_all();
        fence_proxy_async();
        __syncthreads();  // this stage's tile is complete for every thread, the other stage is free
        if (t0 + BK < kvEnd) {
            load_tile(Ks + (stage ^ 1) * STAGE, Vs + (stage ^ 1) * STAGE, kHead, vHead, t0 + BK, kvEnd, tid);
        }
        commit_async();
        // descriptor addresses are in 16-byte units: a stage is STAGE / 16 of them; a k-step of S (16 dims)
        // is 32 bytes along a key's row (the hardware applies the swizzle to the advanced address), four of them a
        // slab; a k-step of P V (16 keys) is two 8-key groups
        const unsigned long long kDesc = kDesc0 + stage * (STAGE / 16);
        const unsigned long long vDesc = vDesc0 + stage * (STAGE / 16);

        wgmma_fence();
#pragma unroll
        for (int kt = 0; kt < DK; ++kt) {
            const unsigned long long kStep = kDesc + (kt / 4) * (SLAB / 16) + (kt % 4) * 2;
#if Q_SMEM
            WGMMA_SS(&s[0][0], qDesc + (kt / 4) * (QSLAB / 16) + (kt % 4) * 2, kStep, kt > 0);
#else
            WGMMA_S(&s[0][0], qa[kt], kStep, kt > 0);
#endif
        }
        wgmma_commit();
        wgmma_wait_all();

        // Causal mask: only tiles that reach past the block's first query position or past the keys need it.
        if (t0 + BK - 1 > startPos + r0 || t0 + BK > kvEnd) mask_scores(s, t0, tq, kvEnd, posLo, posHi);
        unsigned int pa[KP][4];
        softmax_step(s, o, maxLo, maxHi, sumLo, sumHi, pa);

        wgmma_fence();
#pragma unroll
        for (int kc = 0; kc < KP; ++kc) WGMMA_O(&o[0][0], pa[kc], vDesc + kc * (2048 / 16), 1);
        wgmma_commit();
        wgmma_wait_all();
    }

    store_rows(o, sumLo, sumHi, maxLo, maxHi, mLo, tq, tileRows, r0, g, rows, heads, seg, partial, out, outCols, partO,
               partMax, partSum, outBf16);
}
