// The baseline attention kernel ("naive") and the combine step of the segmented flash kernel. The KV cache
// of one layer is head-major: [kvHeads][maxSeq][headDim], float32 or IEEE half.
#include "greta_common.cuh"

__device__ __forceinline__ float kv_value(float x) { return x; }
__device__ __forceinline__ float kv_value(unsigned short x) { return f16_to_f32(x); }

// One block per (query row r, head h): scores for all startPos + r + 1 visible keys in shared memory, a
// softmax over them, then the weighted sum of values. Dynamic shared memory: (headDim + keys) floats.
template <typename KV>
__device__ void naive_attention(const float* q, int qCols, const KV* kCache, const KV* vCache, int maxSeq,
                                int heads, int kvHeads, int headDim, int startPos, float scale, float* out,
                                int outCols) {
    extern __shared__ float smem[];
    __shared__ float scratch[32];
    float* qs = smem;
    float* scores = smem + headDim;
    const int r = blockIdx.x, h = blockIdx.y, g = h / (heads / kvHeads);
    const int keys = startPos + r + 1;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const float* qRow = q + (long long) r * qCols + (long long) h * headDim;
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) qs[d] = qRow[d] * scale;
    __syncthreads();

    const KV* kHead = kCache + (long long) g * maxSeq * headDim;
    for (int j = warp; j < keys; j += warps) {
        const KV* key = kHead + (long long) j * headDim;
        float s = 0.0f;
        for (int d = lane; d < headDim; d += 32) s = fmaf(qs[d], kv_value(key[d]), s);
        s = warp_sum(s);
        if (lane == 0) scores[j] = s;
    }
    __syncthreads();

    float mx = GRETA_NEG_INF;
    for (int j = threadIdx.x; j < keys; j += blockDim.x) mx = fmaxf(mx, scores[j]);
    mx = block_max(mx, scratch);
    float sum = 0.0f;
    for (int j = threadIdx.x; j < keys; j += blockDim.x) {
        float p = expf(scores[j] - mx);
        scores[j] = p;
        sum += p;
    }
    sum = block_sum(sum, scratch);  // its barriers also publish the probabilities written above
    const float inv = 1.0f / sum;

    const KV* vHead = vCache + (long long) g * maxSeq * headDim;
    float* outRow = out + (long long) r * outCols + (long long) h * headDim;
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float acc = 0.0f;
        for (int j = 0; j < keys; ++j) acc = fmaf(scores[j], kv_value(vHead[(long long) j * headDim + d]), acc);
        outRow[d] = acc * inv;
    }
}

extern "C" __global__ void attn_naive_f32(const float* q, int qCols, const float* kCache, const float* vCache,
                                          int maxSeq, int heads, int kvHeads, int headDim, int startPos,
                                          float scale, float* out, int outCols) {
    naive_attention(q, qCols, kCache, vCache, maxSeq, heads, kvHeads, headDim, startPos, scale, out, outCols);
}

extern "C" __global__ void attn_naive_f16(const float* q, int qCols, const unsigned short* kCache,
                                          const unsigned short* vCache, int maxSeq, int heads, int kvHeads,
                                          int headDim, int startPos, float scale, float* out, int outCols) {
    naive_attention(q, qCols, kCache, vCache, maxSeq, heads, kvHeads, headDim, startPos, scale, out, outCols);
}

// Merges the per-segment partial results of the flash kernel in segment order (deterministic). Partials are
// indexed [segment][row][head]; row r needs segments 0 .. (startPos + r) / segKeys. Grid (rows, heads).
extern "C" __global__ void attn_combine(const float* partO, const float* partMax, const float* partSum, int rows,
                                        int heads, int headDim, int startPos, int segKeys, float* out,
                                        int outCols) {
    const int r = blockIdx.x, h = blockIdx.y;
    const int segments = (startPos + r) / segKeys + 1;
    const long long segStride = (long long) rows * heads;
    const long long base = (long long) r * heads + h;
    float mx = GRETA_NEG_INF;
    for (int s = 0; s < segments; ++s) mx = fmaxf(mx, partMax[s * segStride + base]);
    float sum = 0.0f;
    for (int s = 0; s < segments; ++s) sum += partSum[s * segStride + base] * expf(partMax[s * segStride + base] - mx);
    const float inv = 1.0f / sum;
    float* outRow = out + (long long) r * outCols + (long long) h * headDim;
    for (int d = threadIdx.x; d < headDim; d += blockDim.x) {
        float acc = 0.0f;
        for (int s = 0; s < segments; ++s) {
            float w = expf(partMax[s * segStride + base] - mx);
            acc = fmaf(partO[(s * segStride + base) * headDim + d], w, acc);
        }
        outRow[d] = acc * inv;
    }
}
