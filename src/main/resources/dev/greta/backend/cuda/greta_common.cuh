// Helpers shared by Greta's CUDA kernels. Written without any system header so that NVRTC compiles it as is
// (NVRTC has no cuda_bf16.h / stdint.h by default): 16-bit floats travel as raw unsigned short bits and are
// converted with PTX cvt instructions (sm_80+ for bf16).
#pragma once

#define GRETA_NEG_INF __int_as_float(0xff800000)

__device__ __forceinline__ float bf16_to_f32(unsigned short h) { return __uint_as_float(((unsigned int) h) << 16); }

__device__ __forceinline__ unsigned short f32_to_bf16(float f) {
    unsigned short r;
    asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(r) : "f"(f));
    return r;
}

// Two floats rounded to bf16 (round to nearest even), packed low element first: one 4-byte store.
__device__ __forceinline__ unsigned int f32x2_to_bf16(float lo, float hi) {
    unsigned int r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));  // first source -> upper half
    return r;
}

// Four floats as bf16, packed low element first: one 8-byte store.
__device__ __forceinline__ uint2 f32x4_to_bf16(float4 v) {
    return make_uint2(f32x2_to_bf16(v.x, v.y), f32x2_to_bf16(v.z, v.w));
}

__device__ __forceinline__ float f16_to_f32(unsigned short h) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}

__device__ __forceinline__ unsigned short f32_to_f16(float f) {
    unsigned short r;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(r) : "f"(f));
    return r;
}

// Reads an unaligned-safe little-endian 16-bit value (GGUF block fields are only 2-byte aligned).
__device__ __forceinline__ unsigned short load_u16(const unsigned char* p) {
    return (unsigned short) (p[0] | (p[1] << 8));
}

// Fixed butterfly order: the same inputs always reduce in the same order (deterministic).
__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the whole block (blockDim.x a multiple of 32, at most 1024); `scratch` holds 32 floats of shared
// memory. Every thread gets the result. Deterministic: per-warp butterflies, then warp 0 sums the warp totals.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float t = lane < warps ? scratch[lane] : 0.0f;
        t = warp_sum(t);
        if (lane == 0) scratch[0] = t;
    }
    __syncthreads();
    return scratch[0];
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float t = lane < warps ? scratch[lane] : GRETA_NEG_INF;
        t = warp_max(t);
        if (lane == 0) scratch[0] = t;
    }
    __syncthreads();
    return scratch[0];
}
