/* The fixed-point elementwise kernels' loops for Cortex-M, included by kernels_fixed.c. Speed
 * only: the same values and saturation count as the portable loops (make test-boards checks
 * every board, make test-kernels-arm these routines against the portable C).
 *
 *   ELEMENTWISE_ARM_RELU  ARMv7-M and up: max(x, 0) four at a time, USAT to 31 bits.
 *   ELEMENTWISE_ARM_ADD   with the DSP extension: y + x four at a time by QADD, which saturates
 *                         as nope_fx_sat32 does but counts nothing: a group of four that sets the
 *                         sticky Q flag is left unstored for the portable loop, which counts. */
#ifndef NOPE_ELEMENTWISE_ARM_H
#define NOPE_ELEMENTWISE_ARM_H

#include <stdint.h>

#include "matmul_arm.h"

#if defined(MATMUL_ARM_SMLAL) && NOPE_NUM == NOPE_NUM_FIXED
#define ELEMENTWISE_ARM_RELU 1

/* x[k] = max(x[k], 0) for x .. x_end, a positive multiple of 4 apart. */
__attribute__((naked, noinline, used)) static void elementwise_arm_relu(int32_t *x, int32_t *x_end)
{
    (void)x, (void)x_end;
    __asm__ volatile("push {r4, r5}\n"
                     "1:\n\t"
                     "ldm r0, {r2-r5}\n\t"
                     "usat r2, #31, r2\n\t"
                     "usat r3, #31, r3\n\t"
                     "usat r4, #31, r4\n\t"
                     "usat r5, #31, r5\n\t"
                     "stmia r0!, {r2-r5}\n\t"
                     "cmp r0, r1\n\t"
                     "bne 1b\n\t"
                     "pop {r4, r5}\n\t"
                     "bx lr\n");
}

#if defined(__ARM_FEATURE_DSP)
#define ELEMENTWISE_ARM_ADD 1
/* y[k] += x[k], saturated, for y .. y_end (a positive multiple of 4 apart) while no group of four
 * saturates; returns where it stopped: y_end, or the first group that would (not stored). */
__attribute__((naked, noinline, used)) static int32_t *elementwise_arm_add(int32_t *y, const int32_t *x, int32_t *y_end)
{
    (void)y, (void)x, (void)y_end;
    __asm__ volatile("push {r4-r10}\n\t"
                     "movs r3, #0\n\t"
                     "msr APSR_nzcvq, r3\n"
                     "1:\n\t"
                     "ldm r0, {r3-r6}\n\t"
                     "ldmia r1!, {r7-r10}\n\t"
                     "qadd r3, r3, r7\n\t"
                     "qadd r4, r4, r8\n\t"
                     "qadd r5, r5, r9\n\t"
                     "qadd r6, r6, r10\n\t"
                     "mrs r7, APSR\n\t"
                     "tst r7, #0x08000000\n\t" /* Q */
                     "bne 2f\n\t"
                     "stmia r0!, {r3-r6}\n\t"
                     "cmp r0, r2\n\t"
                     "bne 1b\n"
                     "2:\n\t"
                     "pop {r4-r10}\n\t"
                     "bx lr\n");
}
#endif
#endif

#endif
