/* Row-wise float32 kernels for x86-64 hosts (gcc, NOPE_HOST_CLONES): LayerNorm of many rows
 * with each vector lane one row, in an AVX-512 and an AVX2 build chosen at run time.
 *
 * Same bits as nope_kern_layernorm row by row: a lane runs its row's Kahan sums as the very
 * chain of IEEE operations the scalar code runs (no FMA: -ffp-contract=off), in the same order;
 * lanes never mix. */
#ifndef NOPE_ROWS_F32_X86_H
#define NOPE_ROWS_F32_X86_H

#include <stddef.h>

#include "kernels_f32_x86.h"

#if NOPE_F32_X86
/* Rows of LayerNorm a call takes together: the first rows - rows % NOPE_X86_LN_ROWS. */
#define NOPE_X86_LN_ROWS 32

/* out (rows, n) = LayerNorm of each row of x for the first rows - rows % NOPE_X86_LN_ROWS rows
 * (none on a CPU with neither AVX-512 nor AVX2, or for n > NOPE_MAX_D); returns how many. */
size_t nope_x86_layernorm_rows(float *out, const float *x, size_t rows, size_t n, float eps);
#endif

#endif
