// The row-wise and element-wise ops of the Llama forward pass over float32 activations. Activations are
// row-major with a row stride of `cols` floats of their buffer. Every reduction runs in a fixed order, so
// results are bit-identical from run to run.
#include "greta_common.cuh"

__device__ __forceinline__ long long global_index() {
    return (long long) blockIdx.x * blockDim.x + threadIdx.x;
}

// out[r][c] = table[tokens[r]][c]; grid (ceil(cols / blockDim), count).
extern "C" __global__ void embed_rows_bf16(const unsigned short* table, const int* tokens, int cols,
                                           float* out, int outCols) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    int r = blockIdx.y;
    out[(long long) r * outCols + c] = bf16_to_f32(table[(long long) tokens[r] * cols + c]);
}

extern "C" __global__ void embed_rows_f32(const float* table, const int* tokens, int cols, float* out,
                                          int outCols) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= cols) return;
    int r = blockIdx.y;
    out[(long long) r * outCols + c] = table[(long long) tokens[r] * cols + c];
}

// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w; one block per row. In place (out == x) is allowed: each
// thread reads its elements before writing them, after the block-wide sum.
// outBf16 (may be null): the same rows rounded to bf16, packed with row stride cols, for the GEMMs that follow.
extern "C" __global__ void rms_norm(const float* x, int xCols, const float* w, int cols, float eps, float* out,
                                    int outCols, unsigned short* outBf16) {
    __shared__ float scratch[32];
    const float* xr = x + (long long) blockIdx.x * xCols;
    float* outr = out + (long long) blockIdx.x * outCols;
    unsigned short* bf16r = outBf16 == nullptr ? nullptr : outBf16 + (long long) blockIdx.x * cols;
    // Rows of whole float4s (buffers start 256-byte aligned): 16-byte loads and stores, 8-byte bf16 stores.
    const bool vector = cols % 4 == 0 && xCols % 4 == 0 && outCols % 4 == 0;
    float ss = 0.0f;
    if (vector) {
        const float4* x4 = reinterpret_cast<const float4*>(xr);
        for (int c = threadIdx.x; c < cols / 4; c += blockDim.x) {
            const float4 a = x4[c];
            ss = fmaf(a.x, a.x, fmaf(a.y, a.y, fmaf(a.z, a.z, fmaf(a.w, a.w, ss))));
        }
    } else {
        for (int c = threadIdx.x; c < cols; c += blockDim.x) ss = fmaf(xr[c], xr[c], ss);
    }
    ss = block_sum(ss, scratch);
    const float scale = 1.0f / sqrtf(ss / (float) cols + eps);
    if (vector) {
        const float4* x4 = reinterpret_cast<const float4*>(xr);
        const float4* w4 = reinterpret_cast<const float4*>(w);
        for (int c = threadIdx.x; c < cols / 4; c += blockDim.x) {
            const float4 a = x4[c], g = w4[c];
            const float4 v = make_float4((a.x * scale) * g.x, (a.y * scale) * g.y, (a.z * scale) * g.z, (a.w * scale) * g.w);
            reinterpret_cast<float4*>(outr)[c] = v;
            if (bf16r != nullptr) reinterpret_cast<uint2*>(bf16r)[c] = f32x4_to_bf16(v);
        }
    } else {
        for (int c = threadIdx.x; c < cols; c += blockDim.x) {
            const float v = (xr[c] * scale) * w[c];
            outr[c] = v;
            if (bf16r != nullptr) bf16r[c] = f32_to_bf16(v);
        }
    }
}

// Rotates pairs (2i, 2i+1), i < pairs, of each head by (startPos + r) * invFreq[i] (GGML's "normal" RoPE).
// Grid (rows); blockDim a multiple of pairs: thread t owns pair t % pairs and computes its sine and cosine once
// for every head it rotates (heads t / pairs, + blockDim / pairs, ...).
extern "C" __global__ void rope(float* x, int xCols, int headDim, int pairs, const float* invFreq, int startPos,
                                int heads) {
    const int i = threadIdx.x % pairs, headStep = blockDim.x / pairs;
    float* row = x + (long long) blockIdx.x * xCols;
    float s, c;
    sincosf((float) (startPos + (int) blockIdx.x) * invFreq[i], &s, &c);
    for (int h = threadIdx.x / pairs; h < heads; h += headStep) {
        float* pair = row + (long long) h * headDim + 2 * i;
        const float a = pair[0], b = pair[1];
        pair[0] = a * c - b * s;
        pair[1] = a * s + b * c;
    }
}

__device__ __forceinline__ float silu_times(float g, float u) { return g / (1.0f + expf(-g)) * u; }

// gate = silu(gate) * up over n contiguous elements, four per thread (16-byte loads and stores where aligned).
// outBf16 (may be null): the result rounded to bf16 as well, the input of the down projection's GEMM.
extern "C" __global__ void swiglu(float* gate, const float* up, long long n, unsigned short* outBf16) {
    const long long i = global_index() * 4;
    if (i >= n) return;
    const bool aligned = ((reinterpret_cast<unsigned long long>(gate) | reinterpret_cast<unsigned long long>(up)
                           | reinterpret_cast<unsigned long long>(outBf16)) & 15) == 0;
    if (i + 4 <= n && aligned) {
        float4 g = *reinterpret_cast<float4*>(gate + i);
        const float4 u = *reinterpret_cast<const float4*>(up + i);
        g = make_float4(silu_times(g.x, u.x), silu_times(g.y, u.y), silu_times(g.z, u.z), silu_times(g.w, u.w));
        *reinterpret_cast<float4*>(gate + i) = g;
        if (outBf16 != nullptr) *reinterpret_cast<uint2*>(outBf16 + i) = f32x4_to_bf16(g);
        return;
    }
    for (long long j = i; j < i + 4 && j < n; ++j) {
        const float v = silu_times(gate[j], up[j]);
        gate[j] = v;
        if (outBf16 != nullptr) outBf16[j] = f32_to_bf16(v);
    }
}

// x += y over n contiguous elements.
extern "C" __global__ void add_inplace(float* x, const float* y, long long n) {
    long long i = global_index();
    if (i < n) x[i] += y[i];
}

// out (packed rows x cols, bf16, round to nearest even) = x (rows x cols, row stride xCols); the GEMM input.
extern "C" __global__ void to_bf16(const float* x, int xCols, unsigned short* out, int cols, long long n) {
    long long i = global_index();
    if (i >= n) return;
    long long r = i / cols;
    int c = (int) (i - r * cols);
    out[i] = f32_to_bf16(x[r * xCols + c]);
}

// Writes k and v rows (row r = position startPos + r) into one layer of the head-major cache
// [kvHeads][maxSeq][headDim]. Grid (ceil(rows * kvDim / 4 / blockDim), 2): y = 0 stores keys, y = 1 values; each
// thread moves 4 consecutive elements of one head (the backend checks headDim, kvDim and the row strides are
// multiples of 4, so the 16-byte load is aligned).
template <typename T, typename Convert>
__device__ void kv_store(const float* k, int kCols, const float* v, int vCols, T* kCache, T* vCache, int rows,
                         int kvDim, int headDim, int maxSeq, int startPos, Convert convert) {
    long long i = global_index() * 4;
    if (i >= (long long) rows * kvDim) return;
    int r = (int) (i / kvDim), c = (int) (i - (long long) r * kvDim);
    int g = c / headDim, d = c - g * headDim;
    long long dst = ((long long) g * maxSeq + startPos + r) * headDim + d;
    const bool keys = blockIdx.y == 0;
    const float4 x = *reinterpret_cast<const float4*>(keys ? k + (long long) r * kCols + c : v + (long long) r * vCols + c);
    T* out = (keys ? kCache : vCache) + dst;
    out[0] = convert(x.x);
    out[1] = convert(x.y);
    out[2] = convert(x.z);
    out[3] = convert(x.w);
}

struct KeepF32 { __device__ float operator()(float x) const { return x; } };
struct ToF16 { __device__ unsigned short operator()(float x) const { return f32_to_f16(x); } };

extern "C" __global__ void kv_store_f32(const float* k, int kCols, const float* v, int vCols, float* kCache,
                                        float* vCache, int rows, int kvDim, int headDim, int maxSeq,
                                        int startPos) {
    kv_store(k, kCols, v, vCols, kCache, vCache, rows, kvDim, headDim, maxSeq, startPos, KeepF32());
}

extern "C" __global__ void kv_store_f16(const float* k, int kCols, const float* v, int vCols,
                                        unsigned short* kCache, unsigned short* vCache, int rows, int kvDim,
                                        int headDim, int maxSeq, int startPos) {
    kv_store(k, kCols, v, vCols, kCache, vCache, rows, kvDim, headDim, maxSeq, startPos, ToF16());
}
