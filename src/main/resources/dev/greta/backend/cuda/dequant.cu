// Expands raw GGUF tensor bytes (uploaded as they are in the file) into bf16 or f32 weights on the device.
// One thread per output element; element i of the flattened tensor lives in block i / blockSize, because every
// row holds a whole number of blocks. Layouts follow GGML's block structs (little-endian, f16 scales).
#include "greta_common.cuh"

struct OutBf16 {
    typedef unsigned short T;
    static __device__ __forceinline__ T from(float v) { return f32_to_bf16(v); }
};

struct OutF32 {
    typedef float T;
    static __device__ __forceinline__ T from(float v) { return v; }
};

__device__ __forceinline__ long long element_index() {
    return (long long) blockIdx.x * blockDim.x + threadIdx.x;
}

template <class O> __device__ void dq_f32(const unsigned char* src, typename O::T* dst, long long n) {
    long long i = element_index();
    if (i < n) dst[i] = O::from(reinterpret_cast<const float*>(src)[i]);
}

template <class O> __device__ void dq_f16(const unsigned char* src, typename O::T* dst, long long n) {
    long long i = element_index();
    if (i < n) dst[i] = O::from(f16_to_f32(reinterpret_cast<const unsigned short*>(src)[i]));
}

template <class O> __device__ void dq_bf16(const unsigned char* src, typename O::T* dst, long long n) {
    long long i = element_index();
    if (i < n) dst[i] = O::from(bf16_to_f32(reinterpret_cast<const unsigned short*>(src)[i]));
}

// Q8_0: 34 bytes = f16 d, int8 q[32]; x = d * q.
template <class O> __device__ void dq_q8_0(const unsigned char* src, typename O::T* dst, long long n) {
    long long i = element_index();
    if (i >= n) return;
    const unsigned char* b = src + (i >> 5) * 34;
    float d = f16_to_f32(load_u16(b));
    float q = (float) (signed char) b[2 + (i & 31)];
    dst[i] = O::from(d * q);
}

// Q4_0: 18 bytes = f16 d, 16 bytes of nibbles; element j < 16 is the low nibble of byte j, element j + 16 the
// high nibble; x = d * (nibble - 8).
template <class O> __device__ void dq_q4_0(const unsigned char* src, typename O::T* dst, long long n) {
    long long i = element_index();
    if (i >= n) return;
    const unsigned char* b = src + (i >> 5) * 18;
    int j = (int) (i & 31);
    float d = f16_to_f32(load_u16(b));
    int byte = b[2 + (j & 15)];
    int q = (j < 16 ? (byte & 15) : (byte >> 4)) - 8;
    dst[i] = O::from((float) q * d);
}

// Q4_K: 144 bytes = f16 d, f16 dmin, 12 bytes of packed 6-bit scales and mins for 8 sub-blocks of 32,
// 128 bytes of nibbles. Each 64-element chunk c uses bytes qs[32c .. 32c+31]: low nibbles for sub-block 2c,
// high nibbles for sub-block 2c+1. x = (d * scale) * q - (dmin * min).
template <class O> __device__ void dq_q4_k(const unsigned char* src, typename O::T* dst, long long n) {
    long long i = element_index();
    if (i >= n) return;
    const unsigned char* b = src + (i >> 8) * 144;
    const unsigned char* sc = b + 4;
    const unsigned char* qs = b + 16;
    int j = (int) (i & 255);
    int chunk = j >> 6, k = j & 63, sub = 2 * chunk + (k >> 5), l = k & 31;
    int scale, mn;
    if (sub < 4) {
        scale = sc[sub] & 63;
        mn = sc[sub + 4] & 63;
    } else {
        scale = (sc[sub + 4] & 15) | ((sc[sub - 4] >> 6) << 4);
        mn = (sc[sub + 4] >> 4) | ((sc[sub] >> 6) << 4);
    }
    int byte = qs[32 * chunk + l];
    int q = k < 32 ? (byte & 15) : (byte >> 4);
    float d = f16_to_f32(load_u16(b)) * (float) scale;
    float m = f16_to_f32(load_u16(b + 2)) * (float) mn;
    dst[i] = O::from(d * (float) q - m);
}

// Q6_K: 210 bytes = ql[128] (low 4 bits), qh[64] (high 2 bits), int8 scales[16], f16 d. Each half of 128
// elements uses ql[64h ..], qh[32h ..], scales[8h ..]; quarter qd (32 elements) takes the low (qd 0,1) or high
// (qd 2,3) nibble of ql[l + 32 (qd & 1)] and bits 2qd..2qd+1 of qh[l]. x = (d * scale) * (q6 - 32).
template <class O> __device__ void dq_q6_k(const unsigned char* src, typename O::T* dst, long long n) {
    long long i = element_index();
    if (i >= n) return;
    const unsigned char* b = src + (i >> 8) * 210;
    int j = (int) (i & 255);
    int half = j >> 7, r = j & 127, qd = r >> 5, l = r & 31;
    const unsigned char* ql = b + 64 * half;
    const unsigned char* qh = b + 128 + 32 * half;
    const signed char* scales = reinterpret_cast<const signed char*>(b + 192) + 8 * half;
    int low = ql[l + 32 * (qd & 1)];
    low = qd >= 2 ? (low >> 4) : (low & 15);
    int high = (qh[l] >> (2 * qd)) & 3;
    int q = (low | (high << 4)) - 32;
    float d = f16_to_f32(load_u16(b + 208)) * (float) scales[(l >> 4) + 2 * qd];
    dst[i] = O::from(d * (float) q);
}

#define GRETA_DEQUANT_ENTRY(type)                                                                              \
    extern "C" __global__ void dequant_##type##_bf16(const unsigned char* src, unsigned short* dst,            \
                                                     long long n) { dq_##type<OutBf16>(src, dst, n); }         \
    extern "C" __global__ void dequant_##type##_f32(const unsigned char* src, float* dst, long long n) {       \
        dq_##type<OutF32>(src, dst, n);                                                                        \
    }

GRETA_DEQUANT_ENTRY(f32)
GRETA_DEQUANT_ENTRY(f16)
GRETA_DEQUANT_ENTRY(bf16)
GRETA_DEQUANT_ENTRY(q8_0)
GRETA_DEQUANT_ENTRY(q4_0)
GRETA_DEQUANT_ENTRY(q4_k)
GRETA_DEQUANT_ENTRY(q6_k)
