// FlashAttention-2 style causal attention on tensor cores: mma.sync m16n8k16 with f16 inputs and f32
// accumulators. Same contract and launch parameters as flash.cu (one block per KV head g x query-row tile x key
// segment; online softmax; partials merged by attn_combine), compiled per configuration with HEAD_DIM, GROUP, BQ
// (query rows per tile), BK (keys per tile, a multiple of 16), MT and KV_F16.
//
// Each warp owns MT x 16 query vectors (MT m-tiles: with MT = 2 every K/V fragment read from shared memory feeds
// two MMAs, halving shared-memory traffic per MMA at the cost of registers). Their Q fragments stay in registers
// (or, for heads over 64 with MT = 2, in shared memory: Q_SMEM); S = Q K^T, the softmax and the f16
// probabilities never leave registers (the S accumulator layout is reused as the A operand of P V). K and V
// tiles sit in shared memory row-major ([key][dim], rows padded by 16 bytes so that the eight row addresses of an
// ldmatrix hit different banks), in two stages: while the warps compute on one tile, the next one streams in
// with cp.async (f16 cache) and lands in the other stage. K fragments come from ldmatrix, V fragments from
// ldmatrix.trans (the B operand of P V wants two keys of one dimension per register). Scores are kept in log2
// units (Q is pre-scaled by scale * log2(e)) so that the softmax runs on ex2 (ex2.approx: the same bits on
// every run, 2 ulp).

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
#ifndef MT
#define MT 1
#endif
// Large heads with two m-tiles would not fit Q in registers: Q then stays in shared memory (the seed's Q-in-LDS)
// and its fragments are read with ldmatrix at every K tile, as FlashAttention-2 does.
#define Q_SMEM (MT == 2 && HEAD_DIM > 64)

#define TILE_M (BQ * GROUP)
#define WARPS (TILE_M / (16 * MT))
#define THREADS (WARPS * 32)
#define QSTR (HEAD_DIM + 8)  // row strides in halves
#define KSTR (HEAD_DIM + 8)
#define STAGE (BK * KSTR)   // halves of one K (or V) tile
#define DK (HEAD_DIM / 16)  // k-steps of S = Q K^T
#define NS (BK / 8)         // n-tiles of S
#define KP (BK / 16)        // k-steps of O = P V
#define NO (HEAD_DIM / 8)   // n-tiles of O (even: HEAD_DIM is a multiple of 16)

#include "flash_tc.cuh"

#if TILE_M % (16 * MT) != 0 || HEAD_DIM % 16 != 0 || BK % 16 != 0
#error "flash_mma configuration: BQ * GROUP must be a multiple of 16 * MT, HEAD_DIM and BK of 16"
#endif

#if KV_F16
typedef unsigned short kv_t;
#else
typedef float kv_t;
#endif

// Waits until at most one committed group (the tile being prefetched) is still in flight.
__device__ __forceinline__ void wait_async_but_one() { asm volatile("cp.async.wait_group 1;"); }

__device__ __forceinline__ void ldsm_x4(unsigned int* r, unsigned int addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(addr));
}

__device__ __forceinline__ void ldsm_x2(unsigned int* r, unsigned int addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0,%1}, [%2];" : "=r"(r[0]), "=r"(r[1]) : "r"(addr));
}

__device__ __forceinline__ void ldsm_x4_trans(unsigned int* r, unsigned int addr) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(addr));
}

// c += a (16x16, row) * b (16x8, col); f16 inputs, f32 accumulators.
__device__ __forceinline__ void mma_16816(float* c, const unsigned int* a, unsigned int b0, unsigned int b1) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                 "{%0,%1,%2,%3};"
                 : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Starts loading keys/values [t0, t0 + BK) of one head into a stage; positions at or past kvEnd become zeros,
// never stale cache contents. An f16 cache streams asynchronously; an f32 cache is converted on the way.
__device__ __forceinline__ void load_tile(unsigned short* Ks, unsigned short* Vs, const kv_t* kHead,
                                          const kv_t* vHead, int t0, int kvEnd, int tid) {
    constexpr int CHUNKS = HEAD_DIM / 8;  // 16-byte pieces of a row of halves
    for (int i = tid; i < BK * CHUNKS; i += THREADS) {
        const int n = i / CHUNKS, c = (i % CHUNKS) * 8;
        const bool inKeys = t0 + n < kvEnd;
        load_kv_piece(Ks + n * KSTR + c, Vs + n * KSTR + c, kHead, vHead, (long long) (t0 + n) * HEAD_DIM + c, inKeys);
    }
}

extern "C" __global__ void __launch_bounds__(THREADS)
flash_attention(const float* __restrict__ q, int qCols, const kv_t* __restrict__ kCache,
                const kv_t* __restrict__ vCache, int maxSeq, int rows, int heads, int startPos, int segKeys,
                float scale, float* __restrict__ out, int outCols, float* __restrict__ partO,
                float* __restrict__ partMax, float* __restrict__ partSum, int partial,
                unsigned short* __restrict__ outBf16) {
    // Unless Q_SMEM, the Q tile is only read once, into registers: the K/V stages reuse its shared memory.
    extern __shared__ float4 smem4[];
    unsigned short* Qs = reinterpret_cast<unsigned short*>(smem4);  // TILE_M x QSTR
    unsigned short* Ks = Q_SMEM ? Qs + TILE_M * QSTR : Qs;           // 2 stages of BK x KSTR
    unsigned short* Vs = Ks + 2 * STAGE;                              // 2 stages of BK x KSTR

    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int gq = lane >> 2, tq = lane & 3;  // mma fragment coordinates: row group, thread in quad
    // The last query tiles see the most keys: they are launched first so that short tiles fill the tail.
    const int r0 = (gridDim.x - 1 - blockIdx.x) * BQ, g = blockIdx.y, seg = blockIdx.z;
    const int tileRows = min(BQ, rows - r0);
    const int lastPos = startPos + r0 + tileRows - 1;
    const int segStart = seg * segKeys;
    if (segStart > lastPos) return;
    const int kvEnd = min(segStart + segKeys, lastPos + 1);
    const kv_t* kHead = kCache + (long long) g * maxSeq * HEAD_DIM;
    const kv_t* vHead = vCache + (long long) g * maxSeq * HEAD_DIM;

    const float qScale = scale * LOG2E;
    stage_q(Qs, QSTR, q, qCols, r0, tileRows, g, qScale, TILE_M, tid, THREADS);
    __syncthreads();

    // This thread's query vectors: rows gq and gq + 8 of each of its warp's m-tiles ("lo" and "hi"), and their
    // positions (-1: a padding row past the tile's rows).
    int mLo[MT], posLo[MT], posHi[MT];
#if !Q_SMEM
    unsigned int qa[MT][DK][4];
#endif
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
        mLo[mt] = (warp * MT + mt) * 16 + gq;
        const int mHi = mLo[mt] + 8;
        posLo[mt] = (mLo[mt] / GROUP) < tileRows ? startPos + r0 + mLo[mt] / GROUP : -1;
        posHi[mt] = (mHi / GROUP) < tileRows ? startPos + r0 + mHi / GROUP : -1;
#if !Q_SMEM
#pragma unroll
        for (int kt = 0; kt < DK; ++kt) {
            const int c = kt * 16 + 2 * tq;
            qa[mt][kt][0] = load_u32(Qs + mLo[mt] * QSTR + c);
            qa[mt][kt][1] = load_u32(Qs + mHi * QSTR + c);
            qa[mt][kt][2] = load_u32(Qs + mLo[mt] * QSTR + c + 8);
            qa[mt][kt][3] = load_u32(Qs + mHi * QSTR + c + 8);
        }
#endif
    }
    __syncthreads();  // Q is in registers: its shared memory now holds K/V stages
    load_tile(Ks, Vs, kHead, vHead, segStart, kvEnd, tid);
    commit_async();

    float o[MT][NO][4];
    // Running maxima (log2 units) of the rows; sums are this thread's share, reduced over the quad at the end.
    float maxLo[MT], maxHi[MT], sumLo[MT], sumHi[MT];
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
#pragma unroll
        for (int nt = 0; nt < NO; ++nt) o[mt][nt][0] = o[mt][nt][1] = o[mt][nt][2] = o[mt][nt][3] = 0.0f;
        maxLo[mt] = maxHi[mt] = GRETA_NEG_INF;
        sumLo[mt] = sumHi[mt] = 0.0f;
    }

    // ldmatrix row addresses: lane i names row i % 8 of matrix i / 8.
    const int ldRow = lane & 7, ldMat = lane >> 3;
    const unsigned int ks0 = shared_address(Ks), vs0 = shared_address(Vs);
    // K (x4): matrices = 4 consecutive 8-dim slices of keys nt*8 + ldRow, i.e. b0/b1 of two k-steps.
    const unsigned int kLane = 2u * (ldRow * KSTR + ldMat * 8);
    // V (x4, transposed): matrices = keys +0/+8 x dims +0/+8, i.e. b0/b1 of two output n-tiles.
    const unsigned int vLane = 2u * (((ldMat & 1) * 8 + ldRow) * KSTR + (ldMat >> 1) * 8);
#if Q_SMEM
    // Q (x4): rows +0..15 x dims +0/+8 of the warp's m-tile, i.e. the A fragment of one k-step.
    const unsigned int qLane = shared_address(Qs) + 2u * ((warp * MT * 16 + (lane & 15)) * QSTR + (lane >> 4) * 8);
#endif

    int stage = 0;
    for (int t0 = segStart; t0 < kvEnd; t0 += BK, stage ^= 1) {
        if (t0 + BK < kvEnd) load_tile(Ks + (stage ^ 1) * STAGE, Vs + (stage ^ 1) * STAGE, kHead, vHead, t0 + BK, kvEnd, tid);
        commit_async();
        wait_async_but_one();
        __syncthreads();  // this stage's tile is complete for every thread
        const unsigned int kBase = ks0 + 2u * stage * STAGE + kLane;
        const unsigned int vBase = vs0 + 2u * stage * STAGE + vLane;

        float s[MT][NS][4];
#pragma unroll
        for (int mt = 0; mt < MT; ++mt) {
#pragma unroll
            for (int nt = 0; nt < NS; ++nt) s[mt][nt][0] = s[mt][nt][1] = s[mt][nt][2] = s[mt][nt][3] = 0.0f;
        }
#if Q_SMEM
        // k-steps in pairs: the Q fragments of the pair (from shared memory) serve every n-tile of S.
#pragma unroll
        for (int kt = 0; kt < DK; kt += 2) {
            const bool pair = kt + 1 < DK;
            unsigned int qf[MT][2][4];
#pragma unroll
            for (int mt = 0; mt < MT; ++mt) {
                ldsm_x4(qf[mt][0], qLane + 2u * (mt * 16 * QSTR + kt * 16));
                if (pair) ldsm_x4(qf[mt][1], qLane + 2u * (mt * 16 * QSTR + (kt + 1) * 16));
            }
#pragma unroll
            for (int nt = 0; nt < NS; ++nt) {
                const unsigned int kRow = kBase + 2u * (nt * 8 * KSTR + kt * 16);
                unsigned int b[4];
                if (pair) ldsm_x4(b, kRow);
                else ldsm_x2(b, kRow);
#pragma unroll
                for (int mt = 0; mt < MT; ++mt) {
                    mma_16816(s[mt][nt], qf[mt][0], b[0], b[1]);
                    if (pair) mma_16816(s[mt][nt], qf[mt][1], b[2], b[3]);
                }
            }
        }
#else
#pragma unroll
        for (int nt = 0; nt < NS; ++nt) {
            const unsigned int kRow = kBase + 2u * nt * 8 * KSTR;
#pragma unroll
            for (int kt = 0; kt + 1 < DK; kt += 2) {
                unsigned int b[4];
                ldsm_x4(b, kRow + 2u * kt * 16);
#pragma unroll
                for (int mt = 0; mt < MT; ++mt) {
                    mma_16816(s[mt][nt], qa[mt][kt], b[0], b[1]);
                    mma_16816(s[mt][nt], qa[mt][kt + 1], b[2], b[3]);
                }
            }
#if DK % 2
            {
                unsigned int b[2];
                ldsm_x2(b, kRow + 2u * (DK - 1) * 16);  // lanes 0-15 give the addresses of the last two slices
#pragma unroll
                for (int mt = 0; mt < MT; ++mt) mma_16816(s[mt][nt], qa[mt][DK - 1], b[0], b[1]);
            }
#endif
        }
#endif

        // Causal mask: only tiles that reach past the block's first query position or past the keys need it.
        if (t0 + BK - 1 > startPos + r0 || t0 + BK > kvEnd) {
#pragma unroll
            for (int mt = 0; mt < MT; ++mt) mask_scores(s[mt], t0, tq, kvEnd, posLo[mt], posHi[mt]);
        }

        unsigned int pa[MT][KP][4];
#pragma unroll
        for (int mt = 0; mt < MT; ++mt) softmax_step(s[mt], o[mt], maxLo[mt], maxHi[mt], sumLo[mt], sumHi[mt], pa[mt]);

        // O += P V: each V fragment pair feeds every m-tile.
#pragma unroll
        for (int kc = 0; kc < KP; ++kc) {
#pragma unroll
            for (int nt = 0; nt < NO; nt += 2) {
                unsigned int b[4];
                ldsm_x4_trans(b, vBase + 2u * (kc * 16 * KSTR + nt * 8));
#pragma unroll
                for (int mt = 0; mt < MT; ++mt) {
                    mma_16816(o[mt][nt], pa[mt][kc], b[0], b[1]);
                    mma_16816(o[mt][nt + 1], pa[mt][kc], b[2], b[3]);
                }
            }
        }
        __syncthreads();  // every warp is done with this stage before the next iteration refills it
    }

#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
        store_rows(o[mt], sumLo[mt], sumHi[mt], maxLo[mt], maxHi[mt], mLo[mt], tq, tileRows, r0, g, rows, heads, seg,
                   partial, out, outCols, partO, partMax, partSum, outBf16);
    }
}
