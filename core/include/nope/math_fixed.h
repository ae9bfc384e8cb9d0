/* Integer math of the fixed-point mode. Rounding rule everywhere unless stated: to nearest,
 * ties towards +infinity (floor(x + 1/2)), computed without ever shifting a negative value
 * (nope_fx_floor_shr is floor division by 2^s, well-defined in C for every int64). Overflow
 * rule: results that leave int32 saturate to INT32_MIN / INT32_MAX and add one to the
 * saturation count. Error bounds below are checked against double references in
 * tests/unit/test_fixed_math.c over each whole input domain. */
#ifndef NOPE_MATH_FIXED_H
#define NOPE_MATH_FIXED_H

#include <stdint.h>

#include "nope/config.h"
#include "nope/num.h"

/* Saturations so far (read with nope_fx_saturations(), reset with nope_fx_saturations_reset()). */
extern uint64_t nope_fx_sat_count;
void nope_fx_saturations_reset(void);

/* Underflows so far: per-trial variances too few steps wide to trust (NOPE_FX_UNDERFLOW_VAR). */
void nope_fx_underflow_count(void);
void nope_fx_underflows_reset(void);

/* floor(x / 2^s), 0 <= s <= 63. */
static inline int64_t nope_fx_floor_shr(int64_t x, unsigned s)
{
    if (x >= 0)
        return (int64_t)((uint64_t)x >> s);
    return -(int64_t)((uint64_t)(-(x + 1)) >> s) - 1;
}

/* x / 2^s rounded to nearest, ties up, 1 <= s <= 63: floor(x / 2^s) plus bit s-1 of x (two's
 * complement), so it never overflows. */
static inline int64_t nope_fx_round_shr(int64_t x, unsigned s)
{
    return nope_fx_floor_shr(x, s) + (int64_t)(((uint64_t)x >> (s - 1)) & 1u);
}

/* x clamped to int32, counting a saturation when it had to be clamped. */
static inline int32_t nope_fx_sat32(int64_t x)
{
    if (x > INT32_MAX) {
        nope_fx_sat_count++;
        return INT32_MAX;
    }
    if (x < INT32_MIN) {
        nope_fx_sat_count++;
        return INT32_MIN;
    }
    return (int32_t)x;
}

/* a * b of two activations (Q.F), rounded, saturated: exact to 1/2 LSB. */
static inline nope_num_t nope_fx_mul(nope_num_t a, nope_num_t b)
{
    return nope_fx_sat32(nope_fx_round_shr((int64_t)a * b, NOPE_Q_FRAC));
}

/* n / d rounded to nearest (ties up), d > 0; unsigned. */
static inline uint64_t nope_fx_div_round_u64(uint64_t n, uint64_t d)
{
    uint64_t q = n / d, r = n % d;
    return q + (r >= d - r ? 1u : 0u);
}

/* n / d rounded to nearest (ties up), d > 0; signed n, no overflow for any n. */
int64_t nope_fx_div_round(int64_t n, uint64_t d);

/* a (any activation) divided by b != 0 as activations: round(a * 2^F / b), saturated. */
nope_num_t nope_fx_div(nope_num_t a, nope_num_t b);

/* 1 / sqrt(v) for v >= 1 as r / 2^*shift with r in [2^31, 2^32]: relative error <= 2^-30. */
uint64_t nope_fx_rsqrt(uint64_t v, unsigned *shift);

/* e^-y for y >= 0 given in Q32, as Q31 (e^0 = 2^31): absolute error <= 2 LSB (2^-30);
 * 0 for y >= 22 (where e^-y < 2^-31.7). */
uint32_t nope_fx_exp_neg_q31(uint64_t y_q32);

/* tanh(u) for u >= 0 given in Q32, as Q31: absolute error <= 3 LSB. */
uint32_t nope_fx_tanh_q31(uint64_t u_q32);

/* GELU, tanh form, of an activation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), with
 * absolute error <= 2 LSB of Q.F against the exact formula; |x| >= 8 gives x or 0 exactly
 * rounded (the tail there is below 2^-40). */
nope_num_t nope_fx_gelu(nope_num_t x);

/* log2(x) for x >= 1 in Q30: absolute error <= 4 * 2^-30. */
int64_t nope_fx_log2_q30(uint64_t x);

#endif
