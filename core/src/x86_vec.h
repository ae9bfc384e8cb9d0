/* What the x86-64 host's float32 kernels share (kernels_f32_x86.c, attention_f32_x86.c): GCC
 * vector types, the loop pragmas, the exponential of sixteen lanes and the CPU's choice of build.
 * Only for files that have checked NOPE_F32_X86 (kernels_f32_x86.h). */
#ifndef NOPE_X86_VEC_H
#define NOPE_X86_VEC_H

#include <stdint.h>

typedef float v4 __attribute__((vector_size(16)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v16 __attribute__((vector_size(64)));
typedef int32_t v16_int __attribute__((vector_size(64)));
/* The same, as memory: any float address (unaligned loads) and allowed to alias floats. */
typedef float v4_mem __attribute__((vector_size(16), aligned(4), may_alias));
typedef float v8_mem __attribute__((vector_size(32), aligned(4), may_alias));
typedef float v16_mem __attribute__((vector_size(64), aligned(4), may_alias));

#define INLINE static inline __attribute__((always_inline))
/* Loops over the registers of a block, unrolled whole so the block stays in registers. */
#define UNROLL _Pragma("GCC unroll 16")

/* ---- exponentials sixteen at a time (softmax, GELU) ----
 * nope_f32_exp (math_float.c) operation for operation, for arguments in [-87, 88] where its
 * result is a normal number and no branch of it is taken: same rounding of every step, so the
 * same bits. Callers send any other lane to the scalar function. */

/* e = e^x for every lane of x, each in [-87, 88]. */
#define EXP_NORMAL(x, e)                                                                        \
    do {                                                                                        \
        const float LN2_HI = 0.693145751953125f, LN2_LO = 1.42860682e-06f, LOG2E = 1.44269504f; \
        v16 kf = (x)*LOG2E;                                                                     \
        v16_int below = kf < 0.0f;                                                              \
        v16 half = (v16)(((v16_int)(kf - 0.5f) & below) | ((v16_int)(kf + 0.5f) & ~below));     \
        v16_int ki = __builtin_convertvector(half, v16_int);                                    \
        v16 kfl = __builtin_convertvector(ki, v16);                                             \
        v16 r = ((x)-kfl * LN2_HI) - kfl * LN2_LO;                                              \
        e = 1.0f / 720.0f + r * (1.0f / 5040.0f);                                               \
        e = 1.0f / 120.0f + r * e;                                                              \
        e = 1.0f / 24.0f + r * e;                                                               \
        e = 1.0f / 6.0f + r * e;                                                                \
        e = 0.5f + r * e;                                                                       \
        e = 1.0f + r * e;                                                                       \
        e = 1.0f + r * e;                                                                       \
        e = e * (v16)((ki + 127) << 23);                                                        \
    } while (0)

/* Where a lane is outside its range, the vector works on 0 instead (no conversion of NaN or
 * of huge values); the lane's result is replaced afterwards. */
#define ZERO_UNLESS(x, mask) ((v16)((v16_int)(x) & (mask)))

/* ---- the CPU's choice ---- */
typedef enum { ISA_SSE2, ISA_AVX2, ISA_AVX512 } x86_isa;

static inline x86_isa cpu_isa(void)
{
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"))
        return ISA_AVX512;
    if (__builtin_cpu_supports("avx2"))
        return ISA_AVX2;
    return ISA_SSE2;
}

#endif
