/* The floating-point math the float32 mode needs, written with + - * / and bit operations only,
 * so every IEEE-754 target computes the very same bits (no libm, whose results differ between
 * C libraries). Error bounds are measured against double precision in tests/unit/test_f32_math.c. */
#ifndef NOPE_MATH_FLOAT_H
#define NOPE_MATH_FLOAT_H

/* e^x: relative error <= 2 ulp; overflows to +inf above 88.72, 0 below -103.97; NaN stays NaN. */
float nope_f32_exp(float x);

/* ln x for x > 0: absolute error <= 2 ulp of max(1, |ln x|); ln 0 = -inf, ln(x < 0) = NaN. */
float nope_f32_log(float x);

/* The square root, correctly rounded (the IEEE-754 result, computed on integers); NaN below 0. */
float nope_f32_sqrt(float x);

/* tanh x: absolute error <= 2^-23 (what GELU needs; relative error is larger near 0). */
float nope_f32_tanh(float x);

/* Double versions for the statistics: ln (relative error <= 4 ulp) and square root (<= 1 ulp). */
double nope_f64_log(double x);
double nope_f64_sqrt(double x);

#endif
