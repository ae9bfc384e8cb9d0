/* The attention kernel's inner loops for Cortex-M with a single-precision FPU (ARMv7E-M,
 * ARMv8-M Mainline), included by kernels_f32.c. Speed only: the very operations of the portable
 * loops in the same order for each sum, so the bits are the same (make test-boards checks every
 * board, make test-kernels-arm this routine against the portable C at its corners).
 *
 *   ATTEND_ARM_F32  q . k four products a step from two VLDMs, each VMLA.F32 (not fused: the
 *                   product is rounded, then the sum, exactly as dot + q * k in C; never VFMA);
 *                   o = sum p v through the matmul's 8-output VMLA block (matmul_arm.h).
 *   ATTEND_ARM_FIXED ARMv7-M and up, fixed point: every score of a query (LDM/SMLAL dot, then
 *                   kernels_fixed.c's scaled_score64) in one loop, and the softmax's
 *                   exponentials (nope_fx_exp_neg_q31's very steps) in another; each hands the
 *                   rare input it does not take back to the portable code. */
#ifndef NOPE_ATTEND_ARM_H
#define NOPE_ATTEND_ARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Written for Q.24 activations: the scores drop 23 bits, the exponential takes y = d << 8. */
#if defined(MATMUL_ARM_SMLAL) && NOPE_NUM == NOPE_NUM_FIXED && NOPE_Q_FRAC == 24
#define ATTEND_ARM_FIXED 1
enum { ATTEND_ARM_GROUPS = 16 }; /* 4 products a group: head sizes up to 64, multiples of 4 */

/* What attend_arm_scores keeps on its stack, in this order. */
typedef struct {
    const int32_t *q;
    uint32_t k_skip; /* bytes from the end of one key to the next key */
    uint32_t scale;  /* attn_scale_q31 <= 2^30 (dh >= 4): SMLAL may read it as signed */
    uint32_t entry;  /* address (Thumb bit set) in the unrolled body: dh / 4 groups before its end */
    const int32_t *keys;
    int32_t *scores, *scores_end;
} attend_arm_score_job;

// clang-format off
#define ATTEND_ARM_GROUP                  \
    "ldmia.w r0!, {r2, r3, r4, r5}\n\t"  \
    "ldmia.w r1!, {r6, r7, r8, r9}\n\t"  \
    "smlal r10, r11, r2, r6\n\t"         \
    "smlal r10, r11, r3, r7\n\t"         \
    "smlal r10, r11, r4, r8\n\t"         \
    "smlal r10, r11, r5, r9\n\t"
#define ATTEND_ARM_GROUP4 ATTEND_ARM_GROUP ATTEND_ARM_GROUP ATTEND_ARM_GROUP ATTEND_ARM_GROUP

/* scores[n] = scaled_score64(q . k_n, scale) for every key: the dot exact in r11:r10 (the caller
 * has checked max|q| dh < 2^32, so it stays below 2^63), then h = floor(dot scale / 2^32) + 2^22
 * from one UMULL and one SMLAL, and bits 23..54 of it, exact when its high word is in
 * [-2^22, 2^22) (SSAT to 23 bits leaves it alone). Otherwise SSAT sets the sticky Q flag, cleared
 * on entry and returned: the caller then makes every score the portable way. */
__attribute__((naked, noinline, used)) static uint32_t attend_arm_scores_run(const attend_arm_score_job *job)
{
    (void)job;
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "sub sp, sp, #16\n\t"
        "movs r1, #0\n\t"
        "msr APSR_nzcvq, r1\n\t"
        "ldm r0, {r0-r6}\n\t"
        "stm sp, {r0-r3}\n\t" /* q, k_skip, scale, entry */
        "mov r1, r4\n\t"
        "mov r12, r5\n\t"
        "mov lr, r6\n"
        "1:\n\t"
        "mov r10, #0\n\t"
        "mov r11, #0\n\t"
        "ldr pc, [sp, #12]\n\t"
        ATTEND_ARM_GROUP4 ATTEND_ARM_GROUP4 ATTEND_ARM_GROUP4 ATTEND_ARM_GROUP4
        ".global attend_arm_scores_end\n"
        "attend_arm_scores_end:\n\t"
        "ldm sp, {r0, r2, r3}\n\t"
        "add r1, r1, r2\n\t"
        "umull r6, r7, r10, r3\n\t"
        "mov r8, #0\n\t"
        "smlal r7, r8, r11, r3\n\t"
        "adds r7, r7, #0x400000\n\t"
        "adc r8, r8, #0\n\t"
        "ssat r6, #23, r8\n\t"
        "lsrs r7, r7, #23\n\t"
        "orr r7, r7, r8, lsl #9\n\t"
        "str r7, [r12], #4\n\t"
        "cmp r12, lr\n\t"
        "bne 1b\n\t"
        "mrs r0, APSR\n\t"
        "ubfx r0, r0, #27, #1\n\t"
        "add sp, sp, #16\n\t"
        "pop {r4-r11, pc}\n");
}
// clang-format on
extern const char attend_arm_scores_end[];

/* The scores of n_keys >= 1 keys (keys + n stride) for a query q of dh int32s, as the portable
 * fast path makes them; false when some score would have saturated (nothing is counted then:
 * the caller makes them all again). dh must be a multiple of 4, at most 4 ATTEND_ARM_GROUPS. */
static inline bool attend_arm_scores(int32_t *scores, const int32_t *q, const int32_t *keys, size_t n_keys, size_t dh,
                                     size_t stride, uint32_t scale)
{
    attend_arm_score_job job = {q,
                                (uint32_t)((stride - dh) * sizeof(int32_t)),
                                scale,
                                ((uint32_t)(uintptr_t)attend_arm_scores_end - 24u * (uint32_t)(dh / 4)) | 1u,
                                keys,
                                scores,
                                scores + n_keys};
    return attend_arm_scores_run(&job) == 0;
}

/* e^-(d 2^-24) for d = top - p[k] < 2^32, as nope_fx_exp_neg_q31(d << 8) and then clamped to
 * INT32_MAX, written over p[k]; returns their sum. The same steps: k = floor(y / LN2_Q32) from
 * the 24-bit log2(e) estimate, corrected; then Horner on h = 2^32 - g, which gives each step's
 * t = r - floor((r g + 2^31 - 1) / 2^32) as floor((r h + 2^31) / 2^32) = the high word of one
 * UMULL plus its low word's top bit, as long as g >= 1 (h fits 32 bits): r >= 64 makes every
 * t >= 0.3 r - 1 > 11, so every g >= 1. Smaller r (and d = 0 with it) go to the C function.
 * The divisions by constants are gcc's multiply-and-shift, exact for every 32-bit t. Last,
 * round(h / 2^(k+1)) = ((h >> k) >> 1) + ((h >> k) & 1). */
__attribute__((naked, noinline, used)) static uint64_t attend_arm_exp_run(int32_t *p, int32_t *p_end, int32_t top)
{
    (void)p, (void)p_end, (void)top;
    __asm__ volatile("push {r4-r11, lr}\n\t"
                     "sub sp, sp, #4\n\t" /* 8-byte aligned for the call below */
                     "movs r3, #0\n\t"
                     "movs r4, #0\n\t"
                     "ldr r5, 91f\n\t" /* LN2_Q32 */
                     "ldr r6, 92f\n\t" /* /10, /5 */
                     "ldr r7, 93f\n"   /* /6, /3 */
                     "1:\n\t"
                     "ldr r8, [r0]\n\t"
                     "subs r8, r2, r8\n\t"
                     "beq 60f\n\t"
                     "cmp r8, #0x16000000\n\t" /* y >= 22 2^32 */
                     "bhs 61f\n\t"
                     "ldr lr, 90f\n\t" /* LOG2E_Q24 */
                     "umull r10, r11, r8, lr\n\t"
                     "lsr r12, r11, #16\n\t" /* k */
                     "umull r10, r11, r12, r5\n\t"
                     "lsr r9, r8, #24\n\t"
                     "rsbs r8, r10, r8, lsl #8\n\t"
                     "sbcs r11, r9, r11\n\t" /* r = y - k LN2 in r11:r8 */
                     "bne 62f\n\t"
                     "cmp r8, r5\n\t"
                     "bhs 62f\n"
                     "70:\n\t"
                     "cmp r8, #64\n\t"
                     "blo 63f\n\t"
                     /* n = 11: g = 0, t = r */
                     "add r11, r8, #5\n\t"
                     "ldr lr, 94f\n\t"
                     "umull r10, r9, r11, lr\n\t"
                     "lsr r9, r9, #3\n\t"
                     "rsb r9, r9, #0\n\t"
                     /* n = 10 */
                     "umull r10, r11, r8, r9\n\t"
                     "cmp r10, #0x80000000\n\t"
                     "adc r11, r11, #5\n\t"
                     "umull r10, r9, r11, r6\n\t"
                     "lsr r9, r9, #3\n\t"
                     "rsb r9, r9, #0\n\t"
                     /* n = 9 */
                     "umull r10, r11, r8, r9\n\t"
                     "cmp r10, #0x80000000\n\t"
                     "adc r11, r11, #4\n\t"
                     "ldr lr, 95f\n\t"
                     "umull r10, r9, r11, lr\n\t"
                     "lsr r9, r9, #1\n\t"
                     "rsb r9, r9, #0\n\t"
                     /* n = 8 */
                     "umull r10, r11, r8, r9\n\t"
                     "cmp r10, #0x80000000\n\t"
                     "adc r11, r11, #4\n\t"
                     "lsr r9, r11, #3\n\t"
                     "rsb r9, r9, #0\n\t"
                     /* n = 7 */
                     "umull r10, r11, r8, r9\n\t"
                     "cmp r10, #0x80000000\n\t"
                     "adc r11, r11, #3\n\t"
                     "ldr lr, 96f\n\t"
                     "umull r10, r9, r11, lr\n\t"
                     "sub r11, r11, r9\n\t"
                     "add r9, r9, r11, lsr #1\n\t"
                     "lsr r9, r9, #2\n\t"
                     "rsb r9, r9, #0\n\t"
                     /* n = 6 */
                     "umull r10, r11, r8, r9\n\t"
                     "cmp r10, #0x80000000\n\t"
                     "adc r11, r11, #3\n\t"
                     "umull r10, r9, r11, r7\n\t"
                     "lsr r9, r9, #2\n\t"
                     "rsb r9, r9, #0\n\t"
                     /* n = 5 */
                     "umull r10, r11, r8, r9\n\t"
                     "cmp r10, #0x80000000\n\t"
                     "adc r11, r11, #2\n\t"
                     "umull r10, r9, r11, r6\n\t"
                     "lsr r9, r9, #2\n\t"
                     "rsb r9, r9, #0\n\t"
                     /* n = 4 */
                     "umull r10, r11, r8, r9\n\t"
                     "cmp r10, #0x80000000\n\t"
                     "adc r11, r11, #2\n\t"
                     "lsr r9, r11, #2\n\t"
                     "rsb r9, r9, #0\n\t"
                     /* n = 3 */
                     "umull r10, r11, r8, r9\n\t"
                     "cmp r10, #0x80000000\n\t"
                     "adc r11, r11, #1\n\t"
                     "umull r10, r9, r11, r7\n\t"
                     "lsr r9, r9, #1\n\t"
                     "rsb r9, r9, #0\n\t"
                     /* n = 2 */
                     "umull r10, r11, r8, r9\n\t"
                     "cmp r10, #0x80000000\n\t"
                     "adc r11, r11, #1\n\t"
                     "lsr r9, r11, #1\n\t"
                     "rsb r9, r9, #0\n\t"
                     /* n = 1: g = t, h = 2^32 - g */
                     "umull r10, r11, r8, r9\n\t"
                     "cmp r10, #0x80000000\n\t"
                     "adc r11, r11, #0\n\t"
                     "negs r9, r11\n\t"
                     "beq 67f\n\t"
                     "lsr r10, r9, r12\n\t"
                     "lsrs r10, r10, #1\n\t"
                     "adc r10, r10, #0\n"
                     "80:\n\t" /* e in r10, <= 2^31: clamped to 2^31 - 1 */
                     "sub r10, r10, r10, lsr #31\n\t"
                     "str r10, [r0], #4\n\t"
                     "adds r3, r3, r10\n\t"
                     "adc r4, r4, #0\n\t"
                     "cmp r0, r1\n\t"
                     "bne 1b\n\t"
                     "mov r0, r3\n\t"
                     "mov r1, r4\n\t"
                     "add sp, sp, #4\n\t"
                     "pop {r4-r11, pc}\n"
                     "60:\n\t" /* d = 0: e^0 */
                     "mov r10, #0x80000000\n\t"
                     "b 80b\n"
                     "61:\n\t" /* y >= 22: 0 */
                     "mov r10, #0\n\t"
                     "b 80b\n"
                     "67:\n\t" /* g = 0: h = 2^32 */
                     "mov r10, #0x80000000\n\t"
                     "lsr r10, r10, r12\n\t"
                     "b 80b\n"
                     "62:\n\t" /* r out of [0, LN2): move k until it is in */
                     "cmp r11, #0\n\t"
                     "bge 64f\n"
                     "65:\n\t"
                     "sub r12, r12, #1\n\t"
                     "adds r8, r8, r5\n\t"
                     "adc r11, r11, #0\n\t"
                     "cmp r11, #0\n\t"
                     "blt 65b\n"
                     "64:\n\t"
                     "subs r10, r8, r5\n\t"
                     "sbcs r9, r11, #0\n\t"
                     "blo 70b\n\t" /* borrow: r < LN2 */
                     "mov r8, r10\n\t"
                     "mov r11, r9\n\t"
                     "add r12, r12, #1\n\t"
                     "b 64b\n"
                     "63:\n\t" /* small r: the C function, from y = d << 8 */
                     "push {r0-r3}\n\t"
                     "ldr r8, [r0]\n\t"
                     "sub r8, r2, r8\n\t"
                     "lsl r0, r8, #8\n\t"
                     "lsr r1, r8, #24\n\t"
                     "bl nope_fx_exp_neg_q31\n\t"
                     "mov r10, r0\n\t"
                     "pop {r0-r3}\n\t"
                     "b 80b\n"
                     ".p2align 2\n"
                     "90: .word 24204406\n"   /* LOG2E_Q24 */
                     "91: .word 2977044472\n" /* LN2_Q32 */
                     "92: .word 0xcccccccd\n"
                     "93: .word 0xaaaaaaab\n"
                     "94: .word 0xba2e8ba3\n"   /* /11 */
                     "95: .word 0x38e38e39\n"   /* /9 */
                     "96: .word 0x24924925\n"); /* /7 */
}
/* What attend_arm_weighted_run keeps on its stack, in this order. */
typedef struct {
    const int32_t *p, *p_end4, *p_end; /* the probabilities; p_end4: where the groups of 4 end */
    const int32_t *v;                  /* the current column pair of the values */
    int32_t *o, *o_end;                /* the current output pair; the end */
    uint32_t stride;                   /* bytes from one key's values to the next key's */
} attend_arm_weighted_job;

/* o[i] = sat32(round_shr(sum_n p[n] v_n[i], 30)) two outputs at a time: the two int64 sums in
 * r11:r10 and lr:r12 start at the rounding half 2^29, take 4 keys a step (one LDM of p, an LDRD
 * of each key's two values), and end as bits 30..61, exact when the high word is in
 * [-2^29, 2^29) (SSAT to 30 bits leaves it alone). Otherwise SSAT sets the sticky Q flag,
 * cleared on entry and returned: the caller then makes every output the portable way. */
__attribute__((naked, noinline, used)) static uint32_t attend_arm_weighted_run(const attend_arm_weighted_job *job)
{
    (void)job;
    __asm__ volatile("push {r4-r11, lr}\n\t"
                     "sub sp, sp, #28\n\t"
                     "movs r1, #0\n\t"
                     "msr APSR_nzcvq, r1\n\t"
                     "ldm r0, {r0-r6}\n\t"
                     "stm sp, {r0-r6}\n\t" /* p, p_end4, p_end, v, o, o_end, stride */
                     "mov r2, r6\n"
                     "2:\n\t"
                     "ldr r1, [sp]\n\t"
                     "ldr r0, [sp, #12]\n\t"
                     "mov r10, #0x20000000\n\t"
                     "mov r11, #0\n\t"
                     "mov r12, #0x20000000\n\t"
                     "mov lr, #0\n\t"
                     "ldr r3, [sp, #4]\n\t"
                     "cmp r1, r3\n\t"
                     "beq 4f\n"
                     "3:\n\t"
                     "ldmia r1!, {r4-r7}\n\t"
                     "ldrd r8, r9, [r0]\n\t"
                     "add r0, r0, r2\n\t"
                     "smlal r10, r11, r4, r8\n\t"
                     "smlal r12, lr, r4, r9\n\t"
                     "ldrd r8, r9, [r0]\n\t"
                     "add r0, r0, r2\n\t"
                     "smlal r10, r11, r5, r8\n\t"
                     "smlal r12, lr, r5, r9\n\t"
                     "ldrd r8, r9, [r0]\n\t"
                     "add r0, r0, r2\n\t"
                     "smlal r10, r11, r6, r8\n\t"
                     "smlal r12, lr, r6, r9\n\t"
                     "ldrd r8, r9, [r0]\n\t"
                     "add r0, r0, r2\n\t"
                     "smlal r10, r11, r7, r8\n\t"
                     "smlal r12, lr, r7, r9\n\t"
                     "cmp r1, r3\n\t"
                     "bne 3b\n"
                     "4:\n\t"
                     "ldr r3, [sp, #8]\n\t"
                     "cmp r1, r3\n\t"
                     "beq 6f\n"
                     "5:\n\t"
                     "ldr r4, [r1], #4\n\t"
                     "ldrd r8, r9, [r0]\n\t"
                     "add r0, r0, r2\n\t"
                     "smlal r10, r11, r4, r8\n\t"
                     "smlal r12, lr, r4, r9\n\t"
                     "cmp r1, r3\n\t"
                     "bne 5b\n"
                     "6:\n\t"
                     "ssat r4, #30, r11\n\t"
                     "ssat r4, #30, lr\n\t"
                     "lsrs r10, r10, #30\n\t"
                     "orr r10, r10, r11, lsl #2\n\t"
                     "lsrs r12, r12, #30\n\t"
                     "orr r12, r12, lr, lsl #2\n\t"
                     "ldrd r4, r5, [sp, #12]\n\t" /* v, o */
                     "ldr r6, [sp, #20]\n\t"      /* o_end */
                     "strd r10, r12, [r5], #8\n\t"
                     "add r4, r4, #8\n\t"
                     "strd r4, r5, [sp, #12]\n\t"
                     "cmp r5, r6\n\t"
                     "bne 2b\n\t"
                     "mrs r0, APSR\n\t"
                     "ubfx r0, r0, #27, #1\n\t"
                     "add sp, sp, #28\n\t"
                     "pop {r4-r11, pc}\n");
}

/* o (dh, even) = the weighted sum of n_keys >= 1 keys' values (values + n stride) by p (Q30), as
 * the portable loops make it; false when some output would have saturated (nothing is counted
 * then: the caller makes them all again). */
static inline bool attend_arm_weighted(int32_t *o, const int32_t *p, const int32_t *values, size_t n_keys, size_t dh,
                                       size_t stride)
{
    attend_arm_weighted_job job = {
        p, p + n_keys / 4 * 4, p + n_keys, values, o, o + dh, (uint32_t)(stride * sizeof(int32_t))};
    return attend_arm_weighted_run(&job) == 0;
}
#endif

#endif
