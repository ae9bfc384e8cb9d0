/* The Cortex-M matmul tiles (core/src/matmul_arm.h) against the plain C sums, the float32 attention
 * loops (core/src/attend_arm.h) likewise, in fixed point also the matmul's final rounding (in and
 * out of the pair routine), the residual add and ReLU (elementwise_arm.h), the attention's
 * scores, exponentials and weighted sums (attend_arm.h), the LayerNorm loops (layernorm_arm.h)
 * and the reciprocal square root against plain C, and runs of Gaussian
 * draws against single draws and draw_block's float conversion (at the end of this file), on the
 * board under QEMU
 * (tests/cross/test_kernels_arm.sh builds this with KERNEL_TEST=1 in place of the program).
 * A report never reaches the corners checked here: inputs at +-2^31, weights at +-(2^24 - 1), sums
 * that the clamp at +-2^62 cuts (and one that sits exactly on it), odd shapes, and in float32
 * subnormals, infinities and NaNs. Every result must be the same bits. Prints one line, exits 0
 * or 1. */
#include "kernels_f32.c"
#include "kernels_fixed.c"

#include "app.h"
#include "nope/format.h"
#include "port.h"

static uint32_t rng_state = 0x9e3779b9u;

static uint32_t next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void say(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    port_write(PORT_STREAM_REPORT, s, n);
}

/* MAX_OUT: the f32 tile's 16-, 8- and single-output parts (16 + 8 + 3) and the fixed pairs and odd column. */
enum { MAX_ROWS = 4, MAX_IN = 64, MAX_OUT = 27, STRIDE_PAD = 3, CASES = 400 };

#if NOPE_NUM == NOPE_NUM_FIXED
#define LIMIT (INT64_C(1) << 62)

static int32_t input_value(void)
{
    switch (next() % 8) {
    case 0: return INT32_MIN;
    case 1: return INT32_MAX;
    case 2: return 0;
    default: return (int32_t)next();
    }
}

static int32_t weight_value(void)
{
    switch (next() % 8) {
    case 0: return (1 << 24) - 1;
    case 1: return -((1 << 24) - 1);
    default: return (int32_t)(next() % ((1u << 25) - 1)) - ((1 << 24) - 1);
    }
}

static int64_t sum_value(void)
{
    switch (next() % 8) {
    case 0: return LIMIT;
    case 1: return -LIMIT;
    case 2: return LIMIT - (int64_t)(next() % 4096);
    case 3: return -LIMIT + (int64_t)(next() % 4096);
    case 4: /* on and around a rounding tie of the final round to Q.F */
        return (int64_t)(int32_t)next() * ((int64_t)1 << NOPE_DRAW_FRAC_BITS) +
               ((int64_t)1 << (NOPE_DRAW_FRAC_BITS - 1)) - (int64_t)(next() % 3);
    case 5: /* around the edges of int32 after that round */
        return (int64_t)(next() % 2 ? INT32_MAX : INT32_MIN) * ((int64_t)1 << NOPE_DRAW_FRAC_BITS) +
               (int64_t)(next() % 4096) * ((int64_t)1 << 10) - ((int64_t)1 << 21);
    default: return (int64_t)(((uint64_t)next() << 32 | next()) >> 2) - LIMIT / 2;
    }
}

/* What the portable tile computes, written out plainly. */
static void reference(int64_t *acc, const int32_t *a, const int32_t *w, size_t w_stride, size_t in_n, size_t out_n)
{
    for (size_t j = 0; j < out_n; j++) {
        int64_t s = acc[j];
        for (size_t i = 0; i < in_n; i++)
            s += (int64_t)a[i] * w[i * w_stride + j];
        acc[j] = s > LIMIT ? LIMIT : (s < -LIMIT ? -LIMIT : s);
    }
}

/* The matmul's final rounding (round_sat) and the residual add against sat32(round_shr) and
 * sat32 of the 64-bit sum, and the attention's int64 score against its wide-sum one: the same
 * values and the same saturation count, around every edge. */
static int run_rounding_cases(void)
{
    enum { S = NOPE_DRAW_FRAC_BITS };
    const int64_t edges[] = {0,
                             INT64_MAX,
                             INT64_MIN,
                             (int64_t)1 << (S + 31),
                             -((int64_t)1 << (S + 31)),
                             (int64_t)1 << (S - 1),
                             -((int64_t)1 << (S - 1)),
                             (int64_t)1 << 62,
                             -((int64_t)1 << 62)};
    int failures = 0;
    for (int c = 0; c < 20000; c++) {
        int64_t x = c < 9 * 64 ? (int64_t)((uint64_t)edges[c / 64] + (uint64_t)(int64_t)(c % 64 - 32))
                               : (int64_t)((uint64_t)next() << 32 | next()) >> (next() % 40);
        uint64_t before = nope_fx_sat_count;
        int32_t want = nope_fx_sat32(nope_fx_round_shr(x, S));
        uint64_t want_sats = nope_fx_sat_count - before;
        before = nope_fx_sat_count;
        int32_t got = round_sat(x, S);
        failures += got != want || nope_fx_sat_count - before != want_sats;
        int32_t y[2] = {(int32_t)next(), c % 3 == 0 ? INT32_MAX - (int32_t)(next() % 8) : (int32_t)next()};
        int32_t xs[2] = {(int32_t)next(), c % 5 == 0 ? (int32_t)(next() % 8) - 4 : INT32_MIN + (int32_t)(next() % 8)};
        int32_t add_want[2];
        before = nope_fx_sat_count;
        for (int k = 0; k < 2; k++)
            add_want[k] = nope_fx_sat32((int64_t)y[k] + xs[k]);
        want_sats = nope_fx_sat_count - before;
        before = nope_fx_sat_count;
        nope_kern_add(y, xs, 2);
        failures += y[0] != add_want[0] || y[1] != add_want[1] || nope_fx_sat_count - before != want_sats;
        /* The attention score from an int64 dot against the one from a wide sum. */
        uint32_t scale = c % 7 == 0 ? UINT32_C(1) << 31 : next() >> (next() % 8);
        nope_wide_sum dot = {0, 0};
        nope_wide_sum_add(&dot, x);
        before = nope_fx_sat_count;
        int32_t score_want = scaled_score(dot, scale);
        want_sats = nope_fx_sat_count - before;
        before = nope_fx_sat_count;
        failures += scaled_score64(x, scale) != score_want || nope_fx_sat_count - before != want_sats;
    }
    return failures;
}

/* The fixed exponential on the board against the same Horner steps written with a 64-bit h and
 * true divisions (what exp_horner_step promises to equal): every input step across its domain. */
static uint32_t exp_reference(uint64_t y)
{
    const uint64_t ln2 = UINT64_C(2977044472), one = UINT64_C(1) << 32;
    if (y >= (UINT64_C(22) << 32))
        return 0;
    uint64_t k = y / ln2, r = y % ln2, h = one;
    for (uint64_t n = 11; n >= 1; n--) {
        uint64_t t = (r * h + (one >> 1)) >> 32; /* r < 0.7 2^32, h <= 2^32 */
        h = one - (t + n / 2) / n;
    }
    return (uint32_t)((h + (UINT64_C(1) << k)) >> (k + 1));
}

/* The attention's LDM/SMLAL dot (boards with the DSP extension) against the plain sum. */
static int run_dot_cases(void)
{
    int failures = 0;
#ifdef DOT_GROUPS_ARM
    static int32_t q[64], k[64];
    for (int c = 0; c < 200; c++) {
        size_t groups = 1 + next() % 16;
        int64_t want = 0;
        for (size_t i = 0; i < 4 * groups; i++) {
            /* every ninth case at the corners: products of +-2^62 whose signs alternate (no sum leaves int64) */
            q[i] = c % 9 == 0 ? (i % 2 ? INT32_MIN : INT32_MAX) : (int32_t)next() >> (next() % 32);
            k[i] = c % 9 == 0 ? INT32_MIN : (int32_t)next() >> 6;
            want += (int64_t)q[i] * k[i];
        }
        failures += dot_groups_arm(q, k, groups) != want;
    }
#endif
    return failures;
}

/* The Cortex-M score loop (attend_arm.h) against scaled_score64 of the plain int64 dot, over head
 * sizes, strides and scales, with |q| up to the fast path's bound (max|q| dh < 2^32); when it
 * declines (some score saturates), a plain score must saturate; its weighted sum likewise. And its exponential loop against
 * nope_fx_exp_neg_q31 and the clamp: d = 0, tiny remainders, both sides of y = 22, and anything. */
static int run_attend_fixed_cases(void)
{
    int failures = 0;
#ifdef ATTEND_ARM_FIXED
    enum { KEYS = 40, DH = 4 * ATTEND_ARM_GROUPS };
    static int32_t q[DH], keys[KEYS * (DH + STRIDE_PAD)], got[KEYS], want[KEYS];
    for (int c = 0; c < 300; c++) {
        size_t dh = 4 * (1 + next() % ATTEND_ARM_GROUPS), n_keys = 1 + next() % KEYS, stride = dh + next() % STRIDE_PAD;
        uint32_t q_bound = (uint32_t)((UINT64_C(1) << 32) / dh - 1), scale = (UINT32_C(1) << 31) / (1u + next() % 16);
        if (scale > (UINT32_C(1) << 30))
            scale = UINT32_C(1) << 30;
        for (size_t i = 0; i < dh; i++) {
            uint32_t mag = c % 5 == 0 ? q_bound : (next() % q_bound) >> (next() % 24);
            q[i] = next() % 2 ? -(int32_t)mag : (int32_t)mag;
        }
        for (size_t k = 0; k < n_keys * stride; k++)
            keys[k] = c % 7 == 0 ? (next() % 2 ? INT32_MAX : INT32_MIN) : (int32_t)next() >> (next() % 24);
        uint64_t before = nope_fx_sat_count;
        for (size_t n = 0; n < n_keys; n++) {
            int64_t d = 0;
            for (size_t i = 0; i < dh; i++)
                d += (int64_t)q[i] * keys[n * stride + i];
            want[n] = scaled_score64(d, scale);
        }
        bool saturates = nope_fx_sat_count != before;
        before = nope_fx_sat_count;
        bool taken = attend_arm_scores(got, q, keys, n_keys, dh, stride, scale);
        failures += taken == saturates || nope_fx_sat_count != before;
        for (size_t n = 0; n < n_keys && taken; n++)
            failures += got[n] != want[n];
        /* o = sum p v over the same keys as values, with sum p up to 2^31: outputs saturate at the corners */
        static int32_t o_got[DH], o_want[DH];
        for (size_t n = 0; n < n_keys; n++)
            got[n] = (int32_t)(next() % ((UINT32_C(1) << 31) / n_keys + 1));
        if (c % 4 == 2) { /* one output near the edge, the others small: it alone decides */
            size_t j = next() % dh;
            for (size_t n = 0; n < n_keys; n++)
                for (size_t i = 0; i < dh; i++)
                    keys[n * stride + i] = i == j ? (c % 8 == 2 ? INT32_MAX : INT32_MIN) : keys[n * stride + i] >> 20;
        }
        before = nope_fx_sat_count;
        for (size_t i = 0; i < dh; i++) {
            int64_t acc = 0;
            for (size_t n = 0; n < n_keys; n++)
                acc += (int64_t)got[n] * keys[n * stride + i];
            o_want[i] = nope_fx_sat32(nope_fx_round_shr(acc, 30));
        }
        saturates = nope_fx_sat_count != before;
        before = nope_fx_sat_count;
        taken = attend_arm_weighted(o_got, got, keys, n_keys, dh, stride);
        failures += taken == saturates || nope_fx_sat_count != before;
        for (size_t i = 0; i < dh && taken; i++)
            failures += o_got[i] != o_want[i];
        /* exponentials: differences from the top, in Q.24 */
        int32_t top = (int32_t)next();
        uint64_t total = 0;
        for (size_t n = 0; n < n_keys; n++) {
            uint32_t d;
            switch (next() % 8) {
            case 0: d = 0; break;
            case 1: d = next() % 4; break; /* remainders below 64 after << 8 */
            case 2: d = UINT32_C(0x16000000) - 2 + next() % 4; break;
            case 3: d = next() % 0x16000000u; break;
            case 4: d = (uint32_t)(UINT64_C(2977044472) * (next() % 22) / 256) + next() % 3 - 1; break; /* k edges */
            default: d = next() >> (next() % 32); break;
            }
            d = d > (uint32_t)top - (uint32_t)INT32_MIN ? (uint32_t)top - (uint32_t)INT32_MIN
                                                        : d; /* top - d >= INT32_MIN */
            got[n] = (int32_t)((uint32_t)top - d);
            uint32_t e = nope_fx_exp_neg_q31((uint64_t)d << 8);
            want[n] = (int32_t)(e > INT32_MAX ? (uint32_t)INT32_MAX : e);
            total += (uint32_t)want[n];
        }
        failures += attend_arm_exp_run(got, got + n_keys, top) != total;
        for (size_t n = 0; n < n_keys; n++)
            failures += got[n] != want[n];
    }
    /* A sweep of d across the exponential's whole domain, 64 at a time: an off-by-one in a step
     * shows in few results. */
    for (uint32_t d0 = 0; d0 < UINT32_C(0x16000000) + 4096;) {
        uint64_t total = 0;
        for (size_t n = 0; n < KEYS; n++, d0 += 1 + next() % 384) {
            got[n] = -(int32_t)d0;
            uint32_t e = nope_fx_exp_neg_q31((uint64_t)d0 << 8);
            want[n] = (int32_t)(e > INT32_MAX ? (uint32_t)INT32_MAX : e);
            total += (uint32_t)want[n];
        }
        failures += attend_arm_exp_run(got, got + KEYS, 0) != total;
        for (size_t n = 0; n < KEYS; n++)
            failures += got[n] != want[n];
    }
#endif
    return failures;
}

/* The Cortex-M LayerNorm loops (layernorm_arm.h) against the portable loops of
 * nope_kern_layernorm: the sums, smallest and largest x over rows with values at +-2^31, and the
 * scaling for every drop the row gives and scales k in 33..62 with r across [2^31, 2^32]. */
static int run_layernorm_cases(void)
{
    int failures = 0;
#ifdef LAYERNORM_ARM_FIXED
    enum { N = 130 };
    static int32_t x[N], got[N];
    for (int c = 0; c < 400; c++) {
        size_t n = 1 + next() % N;
        for (size_t i = 0; i < n; i++)
            x[i] = c % 5 == 0 ? input_value() : (int32_t)next() >> (next() % 28);
        int64_t sum = 0;
        nope_u128 x2 = nope_u128_from_u64(0);
        int32_t lo = x[0], hi = x[0];
        for (size_t i = 0; i < n; i++) {
            sum += x[i];
            x2 = nope_u128_add(x2, nope_u128_from_u64((uint64_t)((int64_t)x[i] * x[i])));
            lo = x[i] < lo ? x[i] : lo;
            hi = x[i] > hi ? x[i] : hi;
        }
        layernorm_arm_sums_job sums = {x, x + n, 0, 0, 0, 0, 0, 0, 0};
        layernorm_arm_sums(&sums);
        uint64_t sum_bits = (uint64_t)sums.sum_hi << 32 | sums.sum_lo;
        failures += sum_bits != (uint64_t)sum || sums.lo != lo || sums.hi != hi || sums.sq0 != (uint32_t)x2.lo ||
                    sums.sq1 != (uint32_t)(x2.lo >> 32) || sums.sq2 != x2.hi;
        /* the scaling, as nope_kern_layernorm finds drop */
        uint64_t top_hi = (uint64_t)((int64_t)n * hi - sum), top_lo = (uint64_t)(sum - (int64_t)n * lo);
        uint64_t top = top_hi > top_lo ? top_hi : top_lo;
        unsigned drop = 0;
        while ((top >> drop) >= (UINT64_C(1) << 30))
            drop++;
        uint64_t r = c % 7 == 0 ? UINT64_C(1) << 32 : c % 7 == 1 ? UINT64_C(1) << 31 : (UINT64_C(1) << 31) + next();
        int k = 33 + (int)(next() % 30);
        uint64_t half = UINT64_C(1) << (k - 1);
        unsigned j = (unsigned)k - 32;
        layernorm_arm_scale_row(got, x, n, sum, drop, r, k);
        for (size_t i = 0; i < n; i++) {
            int64_t dev = (int64_t)n * x[i] - sum;
            if (drop > 0)
                dev = nope_fx_round_shr(dev, drop);
            uint32_t high = (uint32_t)(((uint64_t)(dev * (int64_t)r) + half) >> 32);
            failures += got[i] != (high >> 31 ? -(int32_t)(~high >> j) - 1 : (int32_t)(high >> j));
        }
    }
#endif
    return failures;
}

/* The residual add and ReLU over rows of awkward lengths (their Cortex-M loops take groups of
 * four, elementwise_arm.h) against sat32 of the 64-bit sum and max(x, 0): values, and the
 * saturation count, with rows where no group, one group or many saturate. */
static int run_elementwise_cases(void)
{
    enum { N = 41 };
    static int32_t y[N], x[N], want[N];
    int failures = 0;
    for (int c = 0; c < 400; c++) {
        size_t n = next() % N;
        for (size_t k = 0; k < n; k++) {
            bool edge = c % 3 == 0 ? next() % 16 == 0 : c % 3 == 1;
            y[k] = edge ? INT32_MAX - (int32_t)(next() % 4) : (int32_t)next() >> 2;
            x[k] = edge ? (int32_t)(next() % 8) - 2 : (int32_t)next() >> 2;
            if (edge && next() % 2) {
                y[k] = -y[k] - 1;
                x[k] = -x[k];
            }
        }
        uint64_t before = nope_fx_sat_count;
        for (size_t k = 0; k < n; k++)
            want[k] = nope_fx_sat32((int64_t)y[k] + x[k]);
        uint64_t want_sats = nope_fx_sat_count - before;
        before = nope_fx_sat_count;
        nope_kern_add(y, x, n);
        failures += nope_fx_sat_count - before != want_sats;
        for (size_t k = 0; k < n; k++)
            failures += y[k] != want[k];
        for (size_t k = 0; k < n; k++) {
            x[k] = c % 5 == 0 ? (next() % 2 ? INT32_MIN : INT32_MAX) : (int32_t)next();
            want[k] = x[k] > 0 ? x[k] : 0;
        }
        nope_kern_activate(x, n, NOPE_ACT_RELU);
        for (size_t k = 0; k < n; k++)
            failures += x[k] != want[k];
    }
    return failures;
}

/* nope_fx_rsqrt (its square root from the core's divide on ARMv7-M, math_fixed.c) against the
 * same formula on nope_isqrt64's digit-by-digit root: squares, their neighbours, the ends of
 * [2^62, 2^64) once normalised, and anything. */
static int run_rsqrt_cases(void)
{
    int failures = 0;
    for (int c = 0; c < 3000; c++) {
        uint64_t v;
        switch (c % 6) {
        case 0: {
            uint64_t root = (uint64_t)(next() | 1u) >> (next() % 31);
            v = root * root + (uint64_t)(int64_t)(int32_t)(next() % 3) - 1; /* a square and its neighbours */
            break;
        }
        case 1: v = UINT64_MAX - next() % 5; break;
        case 2: v = (UINT64_C(1) << 62) + next() % 5; break;
        default: v = ((uint64_t)next() << 32 | next()) >> (next() % 64); break;
        }
        if (v == 0)
            v = 1;
        unsigned e = (64 - nope_bitlen64(v)) & ~1u, shift;
        uint64_t s = nope_isqrt64(v << e);
        uint64_t want = ((UINT64_C(1) << 63) + s / 2) / s;
        failures += nope_fx_rsqrt(v, &shift) != want || shift != 63 - e / 2;
    }
    return failures;
}

static int run_exp_cases(void)
{
    int failures = 0;
    for (uint64_t y = 0; y < (UINT64_C(23) << 32); y += (UINT64_C(1) << 24) + next() % 65536)
        failures += nope_fx_exp_neg_q31(y) != exp_reference(y);
    return failures;
}

/* The pair routine (through matmul_arm_strip_tile, which adds an odd last column) against the
 * portable tile, in each of its modes: sums from saved ones or from 0, into saved ones (clamped)
 * or rounded into int32 outputs with the saturations counted. Small inputs and weights give
 * outputs that do not saturate; the full-range ones give sums the clamp cuts. */
static int run_cases(void)
{
    static int32_t a[MAX_ROWS * (MAX_IN + STRIDE_PAD)], w[MAX_IN * MAX_OUT];
    static int64_t got[MAX_ROWS * MAX_OUT], want[MAX_ROWS * MAX_OUT];
    static int32_t out_got[MAX_ROWS * (MAX_OUT + STRIDE_PAD)], out_want[MAX_ROWS * (MAX_OUT + STRIDE_PAD)];
    int failures = 0;
    for (int c = 0; c < CASES; c++) {
        size_t rows = 1 + next() % MAX_ROWS, in_n = 1 + next() % MAX_IN, out_n = 1 + next() % MAX_OUT;
        if (c % 4 == 0)
            in_n = MAX_IN;
        /* ties: products are multiples of 2^19, so half the sums are rounding ties */
        const bool from_zero = c % 3 == 0, round = c % 5 < 2, small = c % 7 < 3, ties = c % 7 == 3;
        size_t a_stride = in_n + next() % STRIDE_PAD, out_stride = out_n + next() % STRIDE_PAD;
        for (size_t k = 0; k < rows * a_stride; k++)
            a[k] = c % 8 == 1 ? 0 /* sums stay put */
                   : small    ? (int32_t)next() >> 10
                   : ties     ? ((int32_t)next() >> 16) * 1024
                              : input_value();
        for (size_t k = 0; k < in_n * out_n; k++)
            w[k] = small ? weight_value() / 16 : ties ? weight_value() / 512 * 512 : weight_value();
        for (size_t k = 0; k < rows * out_n; k++) {
            got[k] = want[k] = from_zero ? (int64_t)next() : sum_value(); /* from 0: got's start is ignored */
            if (from_zero)
                want[k] = 0;
        }
        for (size_t k = 0; k < rows * out_stride; k++)
            out_got[k] = out_want[k] = (int32_t)next();
        for (size_t r = 0; r < rows; r++)
            reference(want + r * out_n, a + r * a_stride, w, out_n, in_n, out_n);
        uint64_t before = nope_fx_sat_count;
        for (size_t r = 0; r < rows && round; r++)
            for (size_t j = 0; j < out_n; j++)
                out_want[r * out_stride + j] =
                    nope_fx_sat32(nope_fx_round_shr(want[r * out_n + j], NOPE_DRAW_FRAC_BITS));
        uint64_t want_sats = nope_fx_sat_count - before;
        before = nope_fx_sat_count;
#if defined(MATMUL_ARM_SMLAL)
        matmul_arm_strip_tile(got, out_n, from_zero, out_got, out_stride, round, a, a_stride, w, rows, in_n);
#else
        for (size_t r = 0; r < rows; r++) {
            if (from_zero)
                for (size_t j = 0; j < out_n; j++)
                    got[r * out_n + j] = 0;
            matmul_tile(got + r * out_n, a + r * a_stride, w, out_n, in_n, out_n);
            for (size_t j = 0; j < out_n && round; j++)
                out_got[r * out_stride + j] = round_sat(got[r * out_n + j], NOPE_DRAW_FRAC_BITS);
        }
#endif
        failures += nope_fx_sat_count - before != want_sats;
        if (round) { /* the int64 sums are scratch then: only the outputs count */
            for (size_t k = 0; k < rows * out_stride; k++)
                failures += out_got[k] != out_want[k];
        } else {
            for (size_t k = 0; k < rows * out_n; k++)
                failures += got[k] != want[k];
        }
    }
    return failures + run_rounding_cases() + run_dot_cases() + run_exp_cases() + run_attend_fixed_cases() +
           run_layernorm_cases() + run_elementwise_cases() + run_rsqrt_cases();
}
#else
static float float_value(void)
{
    union {
        uint32_t u;
        float f;
    } v;
    switch (next() % 18) {
    case 0: v.u = next() & 0x807fffffu; break;                  /* subnormal */
    case 1: v.u = (next() & 0x80000000u) | 0x7f800000u; break;  /* infinity */
    case 2: v.u = 0x7fc00000u | (next() & 0x803fffffu); break;  /* NaN */
    case 3: v.u = (next() & 0x80ffffffu) | 0x7e000000u; break;  /* near the top: sums overflow */
    case 4: v.u = next(); break;                                /* anything */
    case 5: v.u = (next() & 0x80ffffffu) | 0x00800000u; break;  /* near the bottom: products underflow */
    case 6: v.u = (next() & 0x83ff8000u) | 0x3c000000u; break;  /* short significands: exact ties */
    default: v.u = (next() & 0x83ffffffu) | 0x3c000000u; break; /* around 1 */
    }
    return v.f;
}

/* Same bits, except that two NaNs agree whatever their payloads: when both operands of a + or *
 * are NaN, which one's payload comes out depends on operand order, and a compiler may commute
 * the C operands (a report never holds a NaN). */
static bool same_float(float a, float b)
{
    union {
        float f;
        uint32_t u;
    } x = {a}, y = {b};
    bool both_nan = (x.u & 0x7fffffffu) > 0x7f800000u && (y.u & 0x7fffffffu) > 0x7f800000u;
    return x.u == y.u || both_nan;
}

enum { MAX_KEYS = 40, MAX_DH = 37 };

/* The Cortex-M attention loops (core/src/attend_arm.h) against the portable kernel's loops:
 * q . k for every key, then o = sum p v over odd key counts, head sizes and strides. */
static int run_attend_cases(void)
{
    int failures = 0;
#ifdef ATTEND_ARM_F32
    static float q[MAX_DH], kv[MAX_KEYS * (MAX_DH + STRIDE_PAD)], p[MAX_KEYS], got[MAX_DH], want[MAX_DH];
    for (int c = 0; c < CASES; c++) {
        size_t n_keys = 1 + next() % MAX_KEYS, dh = 1 + next() % MAX_DH, stride = dh + next() % STRIDE_PAD;
        for (size_t i = 0; i < dh; i++)
            q[i] = float_value();
        for (size_t k = 0; k < n_keys * stride; k++)
            kv[k] = float_value();
        for (size_t n = 0; n < n_keys; n++) {
            float dot = 0.0f;
            for (size_t i = 0; i < dh; i++)
                dot += q[i] * kv[n * stride + i];
            failures += !same_float(attend_arm_f32_dot(q, kv + n * stride, dh), dot);
            p[n] = float_value();
        }
        for (size_t i = 0; i < dh; i++)
            want[i] = 0.0f;
        for (size_t n = 0; n < n_keys; n++)
            for (size_t i = 0; i < dh; i++)
                want[i] += p[n] * kv[n * stride + i];
        attend_arm_f32_weighted_sum(got, p, kv, n_keys, dh, stride);
        for (size_t i = 0; i < dh; i++)
            failures += !same_float(got[i], want[i]);
    }
#endif
    return failures;
}

static void reference(float *out, const float *in, size_t rows, size_t n_in, size_t n_out, const float *wrows,
                      size_t in0, size_t in_n, size_t out0, size_t out_n)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < out_n; j++)
            for (size_t i = 0; i < in_n; i++)
                out[r * n_out + out0 + j] += in[r * n_in + in0 + i] * wrows[i * n_out + out0 + j];
}

static int run_cases(void)
{
    static float in[MAX_ROWS * MAX_IN], w[MAX_IN * (MAX_OUT + STRIDE_PAD)];
    static float got[MAX_ROWS * (MAX_OUT + STRIDE_PAD)], want[MAX_ROWS * (MAX_OUT + STRIDE_PAD)];
    int failures = 0;
    for (int c = 0; c < CASES; c++) {
        size_t rows = 1 + next() % MAX_ROWS, in_n = 1 + next() % MAX_IN, out_n = 1 + next() % MAX_OUT;
        size_t out0 = next() % STRIDE_PAD, n_out = out0 + out_n, n_in = MAX_IN, in0 = next() % (MAX_IN - in_n + 1);
        for (size_t k = 0; k < rows * n_in; k++)
            in[k] = float_value();
        for (size_t k = 0; k < in_n * n_out; k++)
            w[k] = float_value();
        for (size_t k = 0; k < rows * n_out; k++)
            got[k] = want[k] = float_value();
        reference(want, in, rows, n_in, n_out, w, in0, in_n, out0, out_n);
        matmul_tile(got, in, rows, n_in, n_out, w, in0, in_n, out0, out_n);
        for (size_t k = 0; k < rows * n_out; k++)
            failures += !same_float(got[k], want[k]);
    }
    return failures + run_attend_cases();
}
#endif

/* ---- Runs of Gaussian draws (core/src/rng.c) against one draw at a time ----
 * nope_rng_gauss_draw_run has its own loop for ARMv7-M mainline; every element of a run must be
 * the portable single draw's bits, for runs starting at odd and even elements, short and
 * longer than a chunk (2048 draws), scales on both sides of the fast path's 2^28, and runs that
 * reach a far-tail word (found on the host: key KEY_WITH_TAIL, elements TAIL_ELEMENTS). */
#include "nope/rng.h"

#if defined(__ARM_ARCH_6M__) /* the micro:bit's 16 KB of RAM: runs of up to 256 + 52 */
enum { LONG_RUN = 256, DRAW_CASES = 300 };
#else
enum { LONG_RUN = 2048, DRAW_CASES = 300 };
#endif
enum { MAX_RUN = LONG_RUN + 52 };
#define KEY_WITH_TAIL UINT64_C(0x0123456789ABCDEF)
static const uint64_t TAIL_ELEMENTS[] = {31394382, 46505131, 78560438};

static uint32_t scale_value(void)
{
    switch (next() % 8) {
    case 0: return 0;
    case 1: return UINT32_MAX;
    case 2: return (UINT32_C(1) << 28) - 1;
    case 3: return UINT32_C(1) << 28;
    case 4: return next();
    default: return next() >> (4 + next() % 20);
    }
}

static int run_draw_cases(void)
{
    static int32_t got[MAX_RUN];
    int failures = 0;
    for (int c = 0; c < DRAW_CASES; c++) {
        nope_rng_stream s = {((uint64_t)next() << 32) | next()};
        uint64_t e0 = ((uint64_t)next() << 32) | next();
        size_t n = next() % 8 == 0 ? LONG_RUN + next() % 53 : next() % 67;
        switch (c % 6) {
        case 0: e0 &= 0xFFFF; break;                              /* near the start */
        case 1: e0 = UINT64_MAX - next() % 9; break;              /* elements wrap */
        case 2: e0 = (UINT64_C(1) << 63) - 1 - next() % 9; break; /* counters wrap */
        case 3:                                                   /* a far-tail word */
            s.key = KEY_WITH_TAIL;
            e0 = TAIL_ELEMENTS[next() % 3] - next() % (n + 1);
            if (n == 0)
                n = 1 + next() % 5, e0 -= next() % n;
            break;
        default: break;
        }
        uint32_t scale_q = scale_value();
        nope_rng_gauss_draw_run(got, s, e0, n, scale_q);
        for (size_t k = 0; k < n; k++)
            failures += got[k] != nope_rng_gauss_draw(s, e0 + k, scale_q);
    }
    return failures;
}

/* draw_block's conversion of drawn integers to float32 (kernels_f32.c) against
 * nope_num_from_draw, at |q| up to 2^24 - 1 and lengths on both sides of its loop's 8. */
static int run_convert_cases(void)
{
#if NOPE_NUM == NOPE_NUM_F32
    enum { MAX_Q = 40 };
    static int32_t q[MAX_Q];
    static float got[MAX_Q + 1];
    int failures = 0;
    for (int c = 0; c < 200; c++) {
        size_t n = next() % MAX_Q;
        for (size_t k = 0; k < n; k++)
            q[k] =
                next() % 4 == 0 ? (next() % 2 ? 1 : -1) * ((1 << 24) - 1) : (int32_t)(next() % (1u << 25)) - (1 << 24);
        got[n] = 42.0f;
        draws_to_float(got, q, n);
        for (size_t k = 0; k < n; k++) {
            union {
                float f;
                uint32_t u;
            } x = {got[k]}, y = {nope_num_from_draw(q[k])};
            failures += x.u != y.u;
        }
        failures += got[n] != 42.0f; /* nothing past the end */
    }
    return failures;
#else
    return 0;
#endif
}

int nope_app_main(int argc, const char *const *argv)
{
    (void)argc, (void)argv;
    int failures = run_cases() + run_draw_cases() + run_convert_cases();
    char num[NOPE_FMT_MAX];
    nope_fmt_u64(num, (uint64_t)failures);
    say("kernel test " NOPE_NUM_NAME ": ");
    say(num);
    say(" wrong results\n# checksum none\n");
    return failures != 0;
}
