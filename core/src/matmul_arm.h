/* The matmul tile's inner loops for Cortex-M, included by kernels_f32.c and kernels_fixed.c.
 * Speed only: every routine here does the very operations of the portable C loops, in the same
 * order for each output, so the bits are the same (make test-boards checks every board).
 *
 *   MATMUL_ARM_F32    ARMv7E-M / ARMv8-M Mainline with a single-precision FPU: two rows' 8 outputs
 *                     (an odd row's 16, then 8) held in s0-s15 across the inputs, VMLA.F32 (not
 *                     fused: the product is rounded, then the sum, exactly as o + a * w in C;
 *                     never VFMA).
 *   MATMUL_ARM_SMLAL  ARMv7-M / ARMv7E-M / ARMv8-M Mainline, fixed point: two outputs' int64
 *                     sums held in registers across 4 inputs at a time, SMLAL (exact); a
 *                     product's sums start there at 0 and its last tile rounds them to Q.F
 *                     there, so no pass over a buffer of sums clears or rounds them.
 *   MATMUL_ARM_M0     ARMv6-M, fixed point: the exact int32 x int24 product from four 32-bit
 *                     MULS instead of a call to __aeabi_lmul. */
#ifndef NOPE_MATMUL_ARM_H
#define NOPE_MATMUL_ARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
#if defined(__ARM_FP) && (__ARM_FP & 4) && !defined(__SOFTFP__)
#define MATMUL_ARM_F32 1
#endif
#endif
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
#define MATMUL_ARM_SMLAL 1
#endif
#if defined(__ARM_ARCH_6M__)
#define MATMUL_ARM_M0 1
#endif

#if defined(MATMUL_ARM_F32) && NOPE_NUM == NOPE_NUM_F32
// clang-format off
/* o[0..7] (s0-s7) += A * w[0..7] (s registers W0..W7), one VMLA.F32 each. */
#define MATMUL_ARM_VMLA(J, A, W) "vmla.f32 s" #J ", " #A ", s" #W "\n\t"
#define MATMUL_ARM_VMLA8(A, W0, W1, W2, W3, W4, W5, W6, W7)                                      \
    MATMUL_ARM_VMLA(0, A, W0) MATMUL_ARM_VMLA(1, A, W1) MATMUL_ARM_VMLA(2, A, W2)                \
    MATMUL_ARM_VMLA(3, A, W3) MATMUL_ARM_VMLA(4, A, W4) MATMUL_ARM_VMLA(5, A, W5)                \
    MATMUL_ARM_VMLA(6, A, W6) MATMUL_ARM_VMLA(7, A, W7)

/* o[j] += a[i] * w[i * w_stride + j] for i < in_n ascending and j < 8: the 8 sums stay in s0-s7
 * for the whole of a[], two inputs a step (VLDM of two a, then of each input's 8 weights). */
static inline void matmul_arm_f32_8(float *o, const float *a, const float *w, size_t w_stride, size_t in_n)
{
    const size_t stride_bytes = w_stride * sizeof(float);
    size_t pairs = in_n / 2;
    __asm__ volatile(
        "vldm %[o], {s0-s7}\n\t"
        "cbz %[pairs], 2f\n"
        "1:\n\t"
        "vldmia %[a]!, {s8-s9}\n\t"
        "vldm %[w], {s16-s23}\n\t"
        "add %[w], %[w], %[sb]\n\t"
        MATMUL_ARM_VMLA8(s8, 16, 17, 18, 19, 20, 21, 22, 23)
        "vldm %[w], {s24-s31}\n\t"
        "add %[w], %[w], %[sb]\n\t"
        MATMUL_ARM_VMLA8(s9, 24, 25, 26, 27, 28, 29, 30, 31)
        "subs %[pairs], %[pairs], #1\n\t"
        "bne 1b\n"
        "2:\n\t" /* an odd last input */
        "tst %[n], #1\n\t"
        "beq 3f\n\t"
        "vldmia %[a]!, {s8}\n\t"
        "vldm %[w], {s16-s23}\n\t"
        MATMUL_ARM_VMLA8(s8, 16, 17, 18, 19, 20, 21, 22, 23)
        "\n3:\n\t"
        "vstm %[o], {s0-s7}\n\t"
        : [a] "+r"(a), [w] "+r"(w), [pairs] "+l"(pairs)
        : [o] "r"(o), [sb] "r"(stride_bytes), [n] "r"(in_n)
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s16", "s17", "s18", "s19", "s20",
          "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "cc", "memory");
}

/* The same for 16 outputs, s0-s15, with one input at a time in s31: weights 0-14 of the input
 * come by one VLDM into s16-s30, weight 15 then into s16 once weight 0 is used. 20 instructions
 * per 16 MACs, two inputs a loop step. */
#define MATMUL_ARM_F32_16_INPUT                                                                  \
    "vldmia %[a]!, {s31}\n\t"                                                                   \
    "vldm %[w], {s16-s30}\n\t"                                                                  \
    MATMUL_ARM_VMLA8(s31, 16, 17, 18, 19, 20, 21, 22, 23)                                         \
    MATMUL_ARM_VMLA(8, s31, 24) MATMUL_ARM_VMLA(9, s31, 25) MATMUL_ARM_VMLA(10, s31, 26)          \
    MATMUL_ARM_VMLA(11, s31, 27) MATMUL_ARM_VMLA(12, s31, 28) MATMUL_ARM_VMLA(13, s31, 29)        \
    MATMUL_ARM_VMLA(14, s31, 30)                                                                  \
    "vldr s16, [%[w], #60]\n\t"                                                                 \
    "add %[w], %[w], %[sb]\n\t"                                                                 \
    MATMUL_ARM_VMLA(15, s31, 16)
static inline void matmul_arm_f32_16(float *o, const float *a, const float *w, size_t w_stride, size_t in_n)
{
    const size_t stride_bytes = w_stride * sizeof(float);
    size_t pairs = in_n / 2;
    __asm__ volatile(
        "vldm %[o], {s0-s15}\n\t"
        "cmp %[pairs], #0\n\t" /* not CBZ: the loop is beyond its reach */
        "beq 2f\n"
        "1:\n\t"
        MATMUL_ARM_F32_16_INPUT
        MATMUL_ARM_F32_16_INPUT
        "subs %[pairs], %[pairs], #1\n\t"
        "bne 1b\n"
        "2:\n\t" /* an odd last input */
        "tst %[n], #1\n\t"
        "beq 3f\n\t"
        MATMUL_ARM_F32_16_INPUT
        "\n3:\n\t"
        "vstm %[o], {s0-s15}\n\t"
        : [a] "+r"(a), [w] "+r"(w), [pairs] "+l"(pairs)
        : [o] "r"(o), [sb] "r"(stride_bytes), [n] "r"(in_n)
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14",
          "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28",
          "s29", "s30", "s31", "cc", "memory");
}

/* Two rows' 8 outputs at j: o0 in s0-s7, o1 in s8-s15, so each input's 8 weights (s16-s23) are
 * loaded once for both rows; four inputs of each row at a time in s24-s27 and s28-s31. 19
 * instructions per 16 MACs. */
#define MATMUL_ARM_VMLA8_HI(A, W0, W1, W2, W3, W4, W5, W6, W7)                                   \
    MATMUL_ARM_VMLA(8, A, W0) MATMUL_ARM_VMLA(9, A, W1) MATMUL_ARM_VMLA(10, A, W2)               \
    MATMUL_ARM_VMLA(11, A, W3) MATMUL_ARM_VMLA(12, A, W4) MATMUL_ARM_VMLA(13, A, W5)             \
    MATMUL_ARM_VMLA(14, A, W6) MATMUL_ARM_VMLA(15, A, W7)
#define MATMUL_ARM_F32_2X8_INPUT(A0, A1)                                                         \
    "vldm %[w], {s16-s23}\n\t"                                                                  \
    "add %[w], %[w], %[sb]\n\t"                                                                 \
    MATMUL_ARM_VMLA8(A0, 16, 17, 18, 19, 20, 21, 22, 23)                                          \
    MATMUL_ARM_VMLA8_HI(A1, 16, 17, 18, 19, 20, 21, 22, 23)
static inline void matmul_arm_f32_2x8(float *o0, float *o1, const float *a0, const float *a1, const float *w,
                                      size_t w_stride, size_t in_n)
{
    const size_t stride_bytes = w_stride * sizeof(float);
    size_t quads = in_n / 4, rest = in_n % 4;
    __asm__ volatile(
        "vldm %[o0], {s0-s7}\n\t"
        "vldm %[o1], {s8-s15}\n\t"
        "cmp %[quads], #0\n\t"
        "beq 2f\n"
        "1:\n\t"
        "vldmia %[a0]!, {s24-s27}\n\t"
        "vldmia %[a1]!, {s28-s31}\n\t"
        MATMUL_ARM_F32_2X8_INPUT(s24, s28)
        MATMUL_ARM_F32_2X8_INPUT(s25, s29)
        MATMUL_ARM_F32_2X8_INPUT(s26, s30)
        MATMUL_ARM_F32_2X8_INPUT(s27, s31)
        "subs %[quads], %[quads], #1\n\t"
        "bne 1b\n"
        "2:\n\t" /* the last in_n % 4 inputs */
        "cmp %[rest], #0\n\t"
        "beq 3f\n"
        "4:\n\t"
        "vldmia %[a0]!, {s24}\n\t"
        "vldmia %[a1]!, {s28}\n\t"
        MATMUL_ARM_F32_2X8_INPUT(s24, s28)
        "subs %[rest], %[rest], #1\n\t"
        "bne 4b\n"
        "3:\n\t"
        "vstm %[o0], {s0-s7}\n\t"
        "vstm %[o1], {s8-s15}\n\t"
        : [a0] "+r"(a0), [a1] "+r"(a1), [w] "+r"(w), [quads] "+r"(quads), [rest] "+r"(rest)
        : [o0] "r"(o0), [o1] "r"(o1), [sb] "r"(stride_bytes)
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14",
          "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28",
          "s29", "s30", "s31", "cc", "memory");
}
// clang-format on

/* The tile of kernels_f32.c: out[r][out0 + j] += in[r][in0 + i] * wrows[i][out0 + j], i ascending
 * for each output; two rows x 8 outputs at a time (an odd last row 16 outputs, then 8), the last out_n % 8 as the portable loop does them. */
static inline void matmul_arm_f32_tile(float *out, const float *in, size_t rows, size_t n_in, size_t n_out,
                                       const float *wrows, size_t in0, size_t in_n, size_t out0, size_t out_n)
{
    const size_t j16 = out_n - out_n % 16, j8 = out_n - out_n % 8;
    size_t r = 0;
    for (; r + 2 <= rows; r += 2) {
        float *o = out + r * n_out + out0;
        const float *a = in + r * n_in + in0;
        for (size_t j = 0; j < j8; j += 8)
            matmul_arm_f32_2x8(o + j, o + n_out + j, a, a + n_in, wrows + out0 + j, n_out, in_n);
        if (j8 == out_n) /* no tail: skip the empty loops over i */
            continue;
        for (size_t k = 0; k < 2; k++)
            for (size_t i = 0; i < in_n; i++)
                for (size_t j = j8; j < out_n; j++)
                    o[k * n_out + j] += a[k * n_in + i] * wrows[i * n_out + out0 + j];
    }
    for (; r < rows; r++) { /* an odd last row */
        float *o = out + r * n_out + out0;
        const float *a = in + r * n_in + in0;
        for (size_t j = 0; j < j16; j += 16)
            matmul_arm_f32_16(o + j, a, wrows + out0 + j, n_out, in_n);
        if (j8 > j16)
            matmul_arm_f32_8(o + j16, a, wrows + out0 + j16, n_out, in_n);
        for (size_t i = 0; i < in_n && j8 < out_n; i++)
            for (size_t j = j8; j < out_n; j++)
                o[j] += a[i] * wrows[i * n_out + out0 + j];
    }
}
#endif

#if defined(MATMUL_ARM_SMLAL) && NOPE_NUM == NOPE_NUM_FIXED
/* Two outputs' int64 sums of every row, over in_n <= 64 inputs from a panel that holds the two
 * columns' weights interleaved (w[i][0], w[i][1], w[i+1][0], ...). Each row's two sums start
 * from src (a row of saved sums, or with src_skip 0 the same constant row for every row) and end
 * either clamped to +-2^62 in dst as int64 (what the portable tile does between tiles), or,
 * after a product's last tile, rounded from Q(F+20) to Q.F into dst as int32 (round_sat of
 * kernels_fixed.c; the clamp changes no value that does not saturate anyway). The fields are in
 * the order the routine keeps them on its stack. */
typedef struct {
    void *dst;            /* where this row's two results go */
    uint32_t dst_skip;    /* bytes from one row's dst to the next row's */
    uint32_t a_skip;      /* bytes from just after one row's inputs to the next row's */
    const int32_t *a_end; /* where a row's inputs would start after the last row */
    const int32_t *panel; /* 2 in_n weights */
    const int64_t *src;   /* this row's two starting sums */
    uint32_t src_skip;    /* bytes from one row's src to the next row's (0: the same for all) */
    uint32_t entry;       /* address (Thumb bit set) in the unrolled body: in_n / 4 steps before its end */
    uint32_t tail;        /* address (Thumb bit set) the body ends in: the finish, in_n % 4 inputs before it */
    const int32_t *a;     /* the first row's inputs */
} matmul_arm_pair_job;

enum { MATMUL_ARM_PAIR_STEPS = 16 }; /* 4 inputs a step: TILE_IN = 64 inputs at most */
/* The round to Q.F (kernels_fixed.c's round_sat): s = NOPE_DRAW_FRAC_BITS = 20 bits dropped. */
_Static_assert(NOPE_DRAW_FRAC_BITS == 20, "matmul_arm_pair_rows rounds off 20 bits");

/* One input: a into r4, its two weights into r6, r7. Four 32-bit instructions, 16 bytes. */
#define MATMUL_ARM_PAIR_ONE     \
    "ldr.w r4, [r1], #4\n\t"    \
    "ldmia.w r2!, {r6, r7}\n\t" \
    "smlal r9, r10, r4, r6\n\t" \
    "smlal r11, r12, r4, r7\n\t"
#define MATMUL_ARM_PAIR_ONES MATMUL_ARM_PAIR_ONE MATMUL_ARM_PAIR_ONE MATMUL_ARM_PAIR_ONE
/* One step: a0..a3 into r0,r3,r4,r5; w of two inputs into r6,r7,r8,lr, twice; sums in
 * r9:r10 (column 0) and r11:r12 (column 1). Eleven 32-bit instructions, 44 bytes: the entry
 * point is found by counting back from the end of the body. */
#define MATMUL_ARM_PAIR_STEP            \
    "ldmia.w r1!, {r0, r3, r4, r5}\n\t" \
    "ldmia.w r2!, {r6, r7, r8, lr}\n\t" \
    "smlal r9, r10, r0, r6\n\t"         \
    "smlal r11, r12, r0, r7\n\t"        \
    "smlal r9, r10, r3, r8\n\t"         \
    "smlal r11, r12, r3, lr\n\t"        \
    "ldmia.w r2!, {r6, r7, r8, lr}\n\t" \
    "smlal r9, r10, r4, r6\n\t"         \
    "smlal r11, r12, r4, r7\n\t"        \
    "smlal r9, r10, r5, r8\n\t"         \
    "smlal r11, r12, r5, lr\n\t"
#define MATMUL_ARM_PAIR_STEP4 MATMUL_ARM_PAIR_STEP MATMUL_ARM_PAIR_STEP MATMUL_ARM_PAIR_STEP MATMUL_ARM_PAIR_STEP

/* Clamp hi:lo to [-2^62, 2^62]: hi in [-2^30, 2^30) is within (one add, one branch); the rest
 * goes to the out-of-line fix, which leaves exactly +-2^62 (hi = +-2^30, lo = 0) alone. */
#define MATMUL_ARM_CLAMP_CHECK(hi, fix, back) \
    "adds r3, " hi ", #0x40000000\n\t"        \
    "bmi " fix "\n" back ":\n\t"
#define MATMUL_ARM_CLAMP_FIX(lo, hi, fix, back) \
    fix ":\n\t"                                 \
        "cmp " hi ", #0\n\t"                    \
        "blt 7f\n\t"                            \
        "cmp " hi ", #0x40000000\n\t"           \
        "bne 6f\n\t"                            \
        "cmp " lo ", #0\n\t"                    \
        "beq " back "\n"                        \
        "6:\n\t"                                \
        "mov " hi ", #0x40000000\n\t"           \
        "mov " lo ", #0\n\t"                    \
        "b " back "\n"                          \
        "7:\n\t"                                \
        "mov " hi ", #0xc0000000\n\t"           \
        "mov " lo ", #0\n\t"                    \
        "b " back "\n"

/* lo = round_sat(x, 20) of u = x + 2^19 in hi:lo: bits 20..51 of u, exact when u's high word is
 * in [-2^19, 2^19), which SSAT to 20 bits leaves alone. Otherwise SSAT sets the sticky Q flag,
 * which the routine returns: the caller then makes that column pair again the portable way,
 * saturating and counting (nope_fx_sat32). */
#define MATMUL_ARM_ROUND_U(lo, hi) \
    "ssat r3, #20, " hi "\n\t"     \
    "lsrs " lo ", " lo ", #20\n\t" \
    "orr " lo ", " lo ", " hi ", lsl #12\n\t"
#define MATMUL_ARM_ADD_HALF(lo, hi)     \
    "adds " lo ", " lo ", #0x80000\n\t" \
    "adc " hi ", " hi ", #0\n\t"

/* Between rows, once this row's results are stored (r3 = its dst, r5 = dst_skip, r6 = a_skip,
 * r7 = a_end, r8 = the panel): the pointers moved on (or the end, once the inputs are used up),
 * the next row's sums loaded from src (moved on by src_skip, or the same), the panel rewound. */
#define MATMUL_ARM_PAIR_NEXT(SRC)                 \
    "add r1, r1, r6\n\t"                          \
    "cmp r1, r7\n\t"                              \
    "beq 13f\n\t"                                 \
    "add r3, r3, r5\n\t"                          \
    "str r3, [sp]\n\t" SRC "ldm r0, {r9-r12}\n\t" \
    "mov r2, r8\n\t"                              \
    "ldr pc, [sp, #28]\n"
#define MATMUL_ARM_SRC_SAME "ldr r0, [sp, #20]\n\t"
#define MATMUL_ARM_SRC_NEXT      \
    "ldrd r0, r4, [sp, #20]\n\t" \
    "add r0, r0, r4\n\t"         \
    "str r0, [sp, #20]\n\t"

/* Every register but sp and pc is in use in the body, so the job lives on the stack (copied
 * there first). The body runs the in_n / 4 steps of 4 inputs from its entry, then jumps to the
 * tail: the in_n % 4 single inputs before the finish (the sums are exact: order does not
 * matter). Four finishes, each with its own single inputs before it:
 *   matmul_arm_pair_round_same  round (the sums started at 2^19, the rounding half), src the same
 *   matmul_arm_pair_round_next  add 2^19, round, src moved on
 *   matmul_arm_pair_store_same  clamp, store, src the same
 *   matmul_arm_pair_store_next  clamp, store, src moved on
 * The Q flag, cleared on entry, is the return value: set when some result did not fit int32. */
// clang-format off
__attribute__((naked, noinline, used)) static uint32_t matmul_arm_pair_rows(const matmul_arm_pair_job *job)
{
    (void)job;
    __asm__ volatile(
        "push {r4-r11, lr}\n\t"
        "sub sp, sp, #36\n\t"
        "movs r1, #0\n\t"
        "msr APSR_nzcvq, r1\n\t"
        "ldm r0, {r1-r10}\n\t"
        "stm sp, {r1-r9}\n\t" /* dst, dst_skip, a_skip, a_end, panel, src, src_skip, entry, tail */
        "mov r0, r6\n\t"
        "mov r1, r10\n\t"
        "mov r2, r5\n\t"
        "ldm r0, {r9-r12}\n\t"
        "bx r8\n\t"
        ".global matmul_arm_pair_body\n"
        "matmul_arm_pair_body:\n\t"
        MATMUL_ARM_PAIR_STEP4 MATMUL_ARM_PAIR_STEP4 MATMUL_ARM_PAIR_STEP4 MATMUL_ARM_PAIR_STEP4
        ".global matmul_arm_pair_end\n"
        "matmul_arm_pair_end:\n\t"
        "ldr pc, [sp, #32]\n\t"
        MATMUL_ARM_PAIR_ONES
        ".global matmul_arm_pair_round_same\n"
        "matmul_arm_pair_round_same:\n\t"
        MATMUL_ARM_ROUND_U("r9", "r10")
        MATMUL_ARM_ROUND_U("r11", "r12")
        "ldm sp, {r3, r5, r6, r7, r8}\n\t" /* dst, dst_skip, a_skip, a_end, panel */
        "strd r9, r11, [r3]\n\t"
        MATMUL_ARM_PAIR_NEXT(MATMUL_ARM_SRC_SAME)
        MATMUL_ARM_PAIR_ONES
        ".global matmul_arm_pair_round_next\n"
        "matmul_arm_pair_round_next:\n\t"
        MATMUL_ARM_ADD_HALF("r9", "r10")
        MATMUL_ARM_ADD_HALF("r11", "r12")
        MATMUL_ARM_ROUND_U("r9", "r10")
        MATMUL_ARM_ROUND_U("r11", "r12")
        "ldm sp, {r3, r5, r6, r7, r8}\n\t"
        "strd r9, r11, [r3]\n\t"
        MATMUL_ARM_PAIR_NEXT(MATMUL_ARM_SRC_NEXT)
        MATMUL_ARM_PAIR_ONES
        ".global matmul_arm_pair_store_same\n"
        "matmul_arm_pair_store_same:\n\t"
        MATMUL_ARM_CLAMP_CHECK("r10", "20f", "21")
        MATMUL_ARM_CLAMP_CHECK("r12", "22f", "23")
        "ldm sp, {r3, r5, r6, r7, r8}\n\t"
        "stm r3, {r9-r12}\n\t"
        MATMUL_ARM_PAIR_NEXT(MATMUL_ARM_SRC_SAME)
        MATMUL_ARM_PAIR_ONES
        ".global matmul_arm_pair_store_next\n"
        "matmul_arm_pair_store_next:\n\t"
        MATMUL_ARM_CLAMP_CHECK("r10", "24f", "25")
        MATMUL_ARM_CLAMP_CHECK("r12", "26f", "27")
        "ldm sp, {r3, r5, r6, r7, r8}\n\t"
        "stm r3, {r9-r12}\n\t"
        MATMUL_ARM_PAIR_NEXT(MATMUL_ARM_SRC_NEXT)
        "13:\n\t"
        "mrs r0, APSR\n\t"
        "ubfx r0, r0, #27, #1\n\t" /* Q */
        "add sp, sp, #36\n\t"
        "pop {r4-r11, pc}\n"
        MATMUL_ARM_CLAMP_FIX("r9", "r10", "20", "21b")
        MATMUL_ARM_CLAMP_FIX("r11", "r12", "22", "23b")
        MATMUL_ARM_CLAMP_FIX("r9", "r10", "24", "25b")
        MATMUL_ARM_CLAMP_FIX("r11", "r12", "26", "27b"));
}
// clang-format on

extern const char matmul_arm_pair_body[], matmul_arm_pair_end[];
extern const char matmul_arm_pair_round_same[], matmul_arm_pair_round_next[];
extern const char matmul_arm_pair_store_same[], matmul_arm_pair_store_next[];

/* panel = w[i][0], w[i][1] for i < in_n (>= 1), rows w_stride int32s apart. */
static inline void matmul_arm_pack_pair(int32_t *panel, const int32_t *w, size_t w_stride, size_t in_n)
{
    uint32_t w0, w1;
    __asm__ volatile("1:\n\t"
                     "ldrd %[w0], %[w1], [%[w]]\n\t"
                     "add %[w], %[w], %[sb]\n\t"
                     "strd %[w0], %[w1], [%[p]], #8\n\t"
                     "subs %[n], %[n], #1\n\t"
                     "bne 1b\n\t"
                     : [w0] "=&r"(w0), [w1] "=&r"(w1), [w] "+r"(w), [p] "+r"(panel), [n] "+r"(in_n)
                     : [sb] "r"(w_stride * sizeof(int32_t))
                     : "cc", "memory");
}

/* One column pair of one row made again the portable way, when a rounded result of the pair
 * routine did not fit: out[0..1] = round_sat(src[0..1] (0 if src is NULL) + a . w[][0..1]). */
typedef void matmul_arm_redo_pair(int32_t *out, const int64_t *src, const int32_t *a, const int32_t *w, size_t w_stride,
                                  size_t in_n);

/* A product's tile of rows x in_n (1 <= in_n <= 64) x out_n (even) through the pair routine.
 * Sums start from acc (rows at acc_stride int64s) or, from_zero (the product's first tile), from
 * 0; they end in acc clamped (a tile that more follow) or, with out set (the product's last
 * tile), rounded and saturated into out (rows at out_stride int32s). a is (rows, in_n at
 * a_stride), w (in_n, out_n at w_stride). Column pairs go through a packed panel: each weight is
 * read once per pair, then streamed by LDM for every row. */
static inline void matmul_arm_pairs(int64_t *acc, size_t acc_stride, bool from_zero, int32_t *out, size_t out_stride,
                                    const int32_t *a, size_t a_stride, const int32_t *w, size_t w_stride, size_t rows,
                                    size_t in_n, size_t out_n, matmul_arm_redo_pair *redo)
{
    /* Starting sums for every row: 0, or the rounding half 2^19 when the round follows. */
    static const int32_t zeros[4] = {0, 0, 0, 0}, halves[4] = {1 << 19, 0, 1 << 19, 0};
    const char *finish = out ? (from_zero ? matmul_arm_pair_round_same : matmul_arm_pair_round_next)
                             : (from_zero ? matmul_arm_pair_store_same : matmul_arm_pair_store_next);
    int32_t panel[2 * 4 * MATMUL_ARM_PAIR_STEPS];
    matmul_arm_pair_job job;
    job.entry = ((uint32_t)(uintptr_t)matmul_arm_pair_end - 44u * (uint32_t)(in_n / 4)) | 1u;
    job.tail = ((uint32_t)(uintptr_t)finish - 16u * (uint32_t)(in_n % 4)) | 1u;
    job.src_skip = from_zero ? 0u : (uint32_t)(acc_stride * sizeof(int64_t));
    job.dst_skip = out ? (uint32_t)(out_stride * sizeof(int32_t)) : (uint32_t)(acc_stride * sizeof(int64_t));
    job.a_skip = (uint32_t)((a_stride - in_n) * sizeof(int32_t));
    job.a_end = a + rows * a_stride;
    job.a = a;
    job.panel = panel;
    for (size_t j = 0; j + 2 <= out_n; j += 2) {
        matmul_arm_pack_pair(panel, w + j, w_stride, in_n);
        job.src = from_zero ? (const int64_t *)(const void *)(out ? halves : zeros) : acc + j;
        job.dst = out ? (void *)(out + j) : (void *)(acc + j);
        if (matmul_arm_pair_rows(&job))
            for (size_t r = 0; r < rows; r++)
                redo(out + r * out_stride + j, from_zero ? NULL : acc + r * acc_stride + j, a + r * a_stride, w + j,
                     w_stride, in_n);
    }
}
#endif

#if defined(MATMUL_ARM_M0) && NOPE_NUM == NOPE_NUM_FIXED
/* The portable tile for ARMv6-M, whose MULS gives only the low 32 bits: a * w exactly from four
 * of them instead of a call to __aeabi_lmul. With a = ah 2^16 + al and w = wh 2^16 + wl, al and
 * wl in [-2^15, 2^15) (the low halves read as signed), |ah| <= 2^15 and, as |w| < 2^24,
 * |wh| <= 2^8:
 *   a w = L + M 2^16 + H 2^32,  L = al wl (|L| <= 2^30), M = al wh + ah wl (|M| <= 2^30 + 2^23),
 *   H = ah wh (|H| <= 2^23),
 * all exact in int32; the sum adds L, then (M mod 2^16) 2^16 to the low word and H + M >> 16 to
 * the high word. The sums and the clamp are the portable tile's.
 *
 * One input against a row of weights: acc[j] += a w[j] for acc .. acc_end, in r0-r7 with al, ah
 * and acc_end kept in r8-r10. With CLAMP, each sum is then clamped to +-2^62 (hi in
 * [-2^30, 2^30), bits 31 and 30 equal, is within; the rest goes to the fix after the loop). */
#define MATMUL_M0_ROW(CLAMP)                                                            \
    ".syntax unified\n\t" /* GCC hands Thumb-1 inline asm over in the divided syntax */ \
    "push {r4-r7, lr}\n\t"                                                              \
    "mov r4, r8\n\t"                                                                    \
    "mov r5, r9\n\t"                                                                    \
    "mov r6, r10\n\t"                                                                   \
    "push {r4-r6}\n\t"                                                                  \
    "mov r8, r2\n\t" /* al */                                                           \
    "mov r9, r3\n\t" /* ah */                                                           \
    "ldr r4, [sp, #32]\n\t"                                                             \
    "mov r10, r4\n" /* acc_end */                                                       \
    "1:\n\t"                                                                            \
    "ldm r0!, {r2}\n\t"                                                                 \
    "sxth r3, r2\n\t" /* wl */                                                          \
    "subs r2, r2, r3\n\t"                                                               \
    "asrs r2, r2, #16\n\t" /* wh */                                                     \
    "mov r4, r8\n\t"                                                                    \
    "muls r4, r3\n\t" /* L = al wl */                                                   \
    "mov r5, r9\n\t"                                                                    \
    "muls r3, r5\n\t" /* ah wl */                                                       \
    "muls r5, r2\n\t" /* H = ah wh */                                                   \
    "mov r6, r8\n\t"                                                                    \
    "muls r2, r6\n\t"     /* al wh */                                                   \
    "adds r3, r2, r3\n\t" /* M */                                                       \
    "asrs r2, r3, #16\n\t"                                                              \
    "adds r5, r5, r2\n\t"  /* high word: H + M >> 16 */                                 \
    "lsls r3, r3, #16\n\t" /* low word: M << 16 */                                      \
    "asrs r2, r4, #31\n\t" /* L's sign */                                               \
    "ldr r6, [r1]\n\t"                                                                  \
    "ldr r7, [r1, #4]\n\t"                                                              \
    "adds r6, r6, r4\n\t"                                                               \
    "adcs r7, r2\n\t"                                                                   \
    "adds r6, r6, r3\n\t"                                                               \
    "adcs r7, r5\n\t" CLAMP "stm r1!, {r6, r7}\n\t"                                     \
    "cmp r1, r10\n\t"                                                                   \
    "bne 1b\n\t"                                                                        \
    "pop {r4-r6}\n\t"                                                                   \
    "mov r8, r4\n\t"                                                                    \
    "mov r9, r5\n\t"                                                                    \
    "mov r10, r6\n\t"                                                                   \
    "pop {r4-r7, pc}\n"
#define MATMUL_M0_CLAMP   \
    "lsls r2, r7, #1\n\t" \
    "eors r2, r7\n\t"     \
    "bmi 5f\n"            \
    "4:\n\t"
#define MATMUL_M0_CLAMP_FIX                               \
    "5:\n\t"                                              \
    "movs r2, #1\n\t"                                     \
    "lsls r2, r2, #30\n\t"                                \
    "cmp r7, #0\n\t"                                      \
    "blt 6f\n\t"                                          \
    "cmp r7, r2\n\t" /* hi >= 2^30: exactly 2^62 stays */ \
    "bne 7f\n\t"                                          \
    "cmp r6, #0\n\t"                                      \
    "beq 4b\n"                                            \
    "7:\n\t"                                              \
    "movs r7, r2\n\t"                                     \
    "movs r6, #0\n\t"                                     \
    "b 4b\n"                                              \
    "6:\n\t"                                              \
    "lsls r7, r2, #1\n\t" /* hi < -2^30: -2^62 */         \
    "adds r7, r7, r2\n\t"                                 \
    "movs r6, #0\n\t"                                     \
    "b 4b\n"

/* acc_end > acc; w has (acc_end - acc) weights. */
__attribute__((naked, noinline)) static void matmul_m0_row(const int32_t *w, int64_t *acc, int32_t al, int32_t ah,
                                                           int64_t *acc_end)
{
    (void)w, (void)acc, (void)al, (void)ah, (void)acc_end;
    __asm__ volatile(MATMUL_M0_ROW("") ".syntax divided\n");
}
__attribute__((naked, noinline)) static void matmul_m0_row_clamp(const int32_t *w, int64_t *acc, int32_t al, int32_t ah,
                                                                 int64_t *acc_end)
{
    (void)w, (void)acc, (void)al, (void)ah, (void)acc_end;
    __asm__ volatile(MATMUL_M0_ROW(MATMUL_M0_CLAMP) MATMUL_M0_CLAMP_FIX ".syntax divided\n");
}

static inline void matmul_m0_tile(int64_t *restrict acc, const int32_t *restrict a, const int32_t *restrict wrows,
                                  size_t w_stride, size_t in_n, size_t out_n)
{
    if (out_n == 0)
        return;
    for (size_t i = 0; i < in_n; i++) {
        /* ah = (a - al) / 2^16 = floor((a + 2^15) / 2^16), without overflowing at a = 2^31 - 1 */
        const int32_t al = (int16_t)a[i], ah = ((a[i] >> 1) + 0x4000) >> 15;
        if (in_n == 1) {
            matmul_m0_row_clamp(wrows, acc, al, ah, acc + out_n);
            return;
        }
        matmul_m0_row(wrows + i * w_stride, acc, al, ah, acc + out_n);
    }
    for (size_t j = 0; j < out_n; j++)
        acc[j] = acc[j] > (INT64_C(1) << 62) ? (INT64_C(1) << 62)
                                             : (acc[j] < -(INT64_C(1) << 62) ? -(INT64_C(1) << 62) : acc[j]);
}
#endif

#endif
