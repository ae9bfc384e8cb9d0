/* The fixed-point LayerNorm's two loops over a row for ARMv7-M and up, included by kernels_fixed.c.
 * Speed only: the same integers as the portable loops (make test-boards checks every board, make
 * test-kernels-arm these routines against the portable C at their corners).
 *
 *   LAYERNORM_ARM_FIXED  the sums (of x, exact in 64 bits; of x^2, in 96) with the smallest and
 *                        largest x in one pass; then each output from n x - S, the drop and the
 *                        reciprocal square root, for the common scale k in 33..62. */
#ifndef NOPE_LAYERNORM_ARM_H
#define NOPE_LAYERNORM_ARM_H

#include <stddef.h>
#include <stdint.h>

#include "matmul_arm.h"

#if defined(MATMUL_ARM_SMLAL) && NOPE_NUM == NOPE_NUM_FIXED
#define LAYERNORM_ARM_FIXED 1

/* What layernorm_arm_sums reads (x, x_end) and writes (the rest), in LDM/STM order. */
typedef struct {
    const int32_t *x, *x_end; /* n >= 1 values */
    uint32_t sum_lo, sum_hi;  /* sum x, two's complement int64 */
    uint32_t sq0, sq1, sq2;   /* sum x^2 = sq2 2^64 + sq1 2^32 + sq0 */
    int32_t lo, hi;           /* the smallest and largest x */
} layernorm_arm_sums_job;

// clang-format off
__attribute__((naked, noinline, used)) static void layernorm_arm_sums(layernorm_arm_sums_job *job)
{
    (void)job;
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "mov r12, r0\n\t"
        "ldm r12!, {r0, r1}\n\t"
        "ldr r10, [r0]\n\t"
        "mov r11, r10\n\t"
        "movs r2, #0\n\t"
        "movs r3, #0\n\t"
        "movs r4, #0\n\t"
        "movs r5, #0\n\t"
        "movs r6, #0\n"
        "1:\n\t"
        "ldr r7, [r0], #4\n\t"
        "adds r2, r2, r7\n\t"
        "adc r3, r3, r7, asr #31\n\t"
        "smull r8, r9, r7, r7\n\t"
        "adds r4, r4, r8\n\t"
        "adcs r5, r5, r9\n\t"
        "adc r6, r6, #0\n\t"
        "cmp r7, r10\n\t"
        "it lt\n\t"
        "movlt r10, r7\n\t"
        "cmp r7, r11\n\t"
        "it gt\n\t"
        "movgt r11, r7\n\t"
        "cmp r0, r1\n\t"
        "bne 1b\n\t"
        "stm r12, {r2-r6, r10, r11}\n\t"
        "pop {r4-r11, pc}\n");
}

/* What layernorm_arm_scale reads, in LDM order. */
typedef struct {
    const int32_t *x;
    int32_t *out;
    const int32_t *x_end;
    int32_t n;
    uint32_t s_lo, s_hi; /* S - 2^(drop-1) (S if drop = 0), two's complement int64 */
    uint32_t drop;       /* 0..31 */
    uint32_t undrop;     /* 32 - drop */
    int32_t r_low;       /* r - 2^32: r in [2^31, 2^32] */
    uint32_t half_hi;    /* 2^(k-1) / 2^32, k in 33..62 */
    uint32_t j;          /* k - 32 */
} layernorm_arm_scale_job;

/* out[i] = the portable loop's value for k in 33..62: dev = round_shr(n x - S, drop) as bits
 * drop..drop+31 of n x - S + 2^(drop-1) (|dev| <= 2^30, so those are all of it); then the high
 * word of dev r + 2^(k-1) is that of dev (r - 2^32) plus dev plus 2^(k-33) (the low word of the
 * half is 0), shifted right by k - 32 with its sign. */
__attribute__((naked, noinline, used)) static void layernorm_arm_scale(const layernorm_arm_scale_job *job)
{
    (void)job;
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "ldm r0, {r0-r10}\n"
        "1:\n\t"
        "ldr lr, [r0], #4\n\t"
        "smull r11, r12, r3, lr\n\t"
        "subs r11, r11, r4\n\t"
        "sbc r12, r12, r5\n\t"
        "lsr r11, r11, r6\n\t"
        "lsl lr, r12, r7\n\t"
        "orr r11, r11, lr\n\t"
        "smull lr, r12, r11, r8\n\t"
        "add r12, r12, r11\n\t"
        "add r12, r12, r9\n\t"
        "asr r12, r12, r10\n\t"
        "str r12, [r1], #4\n\t"
        "cmp r0, r2\n\t"
        "bne 1b\n\t"
        "pop {r4-r11, pc}\n");
}
// clang-format on

/* out[i] for the n >= 1 values x[i] with sum S, for drop 0..31 (|round_shr(n x - S, drop)| <=
 * 2^30), r in [2^31, 2^32] and k in 33..62: nope_kern_layernorm's loop for those scales. */
static inline void layernorm_arm_scale_row(int32_t *out, const int32_t *x, size_t n, int64_t sum, unsigned drop,
                                           uint64_t r, int k)
{
    uint64_t s_bits = (uint64_t)sum - (drop > 0 ? UINT64_C(1) << (drop - 1) : 0);
    layernorm_arm_scale_job job = {x,
                                   out,
                                   x + n,
                                   (int32_t)n,
                                   (uint32_t)s_bits,
                                   (uint32_t)(s_bits >> 32),
                                   drop,
                                   32 - drop,
                                   (int32_t)((int64_t)r - (INT64_C(1) << 32)),
                                   UINT32_C(1) << (k - 33),
                                   (uint32_t)k - 32};
    layernorm_arm_scale(&job);
}
#endif

#endif
