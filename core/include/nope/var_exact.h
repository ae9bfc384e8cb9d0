/* The float32 mode's unbiased variance (nope_kern_var_unbiased) in integers, for cores without
 * double hardware, where each double + - * / is a soft-float call of dozens of instructions.
 * The same doubles: it follows the double code's operations and order, rounding each result to
 * nearest-even on 53 bits, as IEEE does when nothing overflows or is subnormal. */
#ifndef NOPE_VAR_EXACT_H
#define NOPE_VAR_EXACT_H

#include <stdbool.h>
#include <stddef.h>

/* *out = the double code's result, bit for bit; false (out untouched) for the inputs this path
 * leaves to the double code: n < 2, a NaN or infinity, floats whose exponents spread so far
 * that the double sum would round, or a mean too fine for the 64-bit grid. */
bool nope_var_unbiased_exact(const float *y, size_t n, double *out);

#endif
