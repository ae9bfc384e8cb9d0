/* The attention kernel's inner loops for Cortex-M with a single-precision FPU (ARMv7E-M,
 * ARMv8-M Mainline), included by kernels_f32.c. Speed only: the very operations of the portable
 * loops in the same order for each sum, so the bits are the same (make test-boards checks every
 * board, make test-kernels-arm this routine against the portable C at its corners).
 *
 *   ATTEND_ARM_F32  q . k four products a step from two VLDMs, each VMLA.F32 (not fused: the
 *                   product is rounded, then the sum, exactly as dot + q * k in C; never VFMA);
 *                   o = sum p v through the matmul's 8-output VMLA block (matmul_arm.h). */
#ifndef NOPE_ATTEND_ARM_H
#define NOPE_ATTEND_ARM_H

#include <stddef.h>

#include "matmul_arm.h"

#if defined(MATMUL_ARM_F32) && NOPE_NUM == NOPE_NUM_F32
#define ATTEND_ARM_F32 1

/* dot = ((0 + q0 k0) + q1 k1) + ... for i < dh ascending: the portable loop's chain. */
static inline float attend_arm_f32_dot(const float *q, const float *k, size_t dh)
{
    float dot = 0.0f;
    size_t quads = dh / 4;
    __asm__ volatile("cbz %[n], 2f\n"
                     "1:\n\t"
                     "vldmia %[q]!, {s8-s11}\n\t"
                     "vldmia %[k]!, {s12-s15}\n\t"
                     "vmla.f32 %[d], s8, s12\n\t"
                     "vmla.f32 %[d], s9, s13\n\t"
                     "vmla.f32 %[d], s10, s14\n\t"
                     "vmla.f32 %[d], s11, s15\n\t"
                     "subs %[n], %[n], #1\n\t"
                     "bne 1b\n"
                     "2:\n\t"
                     : [d] "+t"(dot), [q] "+r"(q), [k] "+r"(k), [n] "+l"(quads)
                     :
                     : "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "cc", "memory");
    for (size_t i = 0; i < dh % 4; i++)
        dot += q[i] * k[i];
    return dot;
}

/* o[i] = ((0 + p0 v0[i]) + p1 v1[i]) + ... for keys n ascending (v_n = values + n stride): 8
 * outputs at a time held in registers over all keys, the last dh % 8 as the portable loop does. */
static inline void attend_arm_f32_weighted_sum(float *o, const float *p, const float *values, size_t n_keys, size_t dh,
                                               size_t stride)
{
    for (size_t i = 0; i < dh; i++)
        o[i] = 0.0f;
    const size_t j8 = dh - dh % 8;
    for (size_t j = 0; j < j8; j += 8)
        matmul_arm_f32_8(o + j, p, values + j, stride, n_keys);
    for (size_t n = 0; n < n_keys; n++)
        for (size_t j = j8; j < dh; j++)
            o[j] += p[n] * values[n * stride + j];
}
#endif

#endif
