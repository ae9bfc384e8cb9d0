/* The float32 kernels' fast paths for x86-64 hosts (gcc, NOPE_HOST_CLONES): a register-blocked
 * matmul over packed panels of weights and attention scores computed for several keys at once,
 * each in a baseline (SSE2), an AVX2 and an AVX-512 build picked at run time for the CPU.
 *
 * Same bits as the portable loops in kernels_f32.c: every output is still its own chain of
 * IEEE operations in ascending index (a * w rounded, then added; no FMA, -ffp-contract=off).
 * Vectors hold several OUTPUTS side by side, never several terms of one sum. */
#ifndef NOPE_KERNELS_F32_X86_H
#define NOPE_KERNELS_F32_X86_H

#include <stddef.h>

#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32 && defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    defined(NOPE_HOST_CLONES)
#define NOPE_F32_X86 1
#else
#define NOPE_F32_X86 0
#endif

#if NOPE_F32_X86
/* Packed weights come in panels of this many columns: a block of k rows of W restricted to
 * columns [p NR, p NR + np) is stored row after row, np values each (np = NR but in the last
 * panel). Panels start on 64-byte boundaries when the buffer does. */
#define NOPE_X86_PANEL 64

/* out[r][j] += sum over i ascending of in[r][i] * panel[i][j] for r < rows, i < k, j < np:
 * out rows ldo apart, in rows ldi apart, the panel packed with np values per row. */
void nope_x86_matmul_panel(float *out, size_t ldo, const float *in, size_t ldi, size_t rows, const float *panel,
                           size_t np, size_t k);

/* scores[n] = (sum over i ascending of q[i] * key_n[i]) * scale, key n at keys + n * stride. */
void nope_x86_scores(float *scores, const float *q, const float *keys, size_t n_keys, size_t dh, size_t stride,
                     float scale);

/* p[k] = nope_f32_exp(p[k] - top) for k < n, several at a time. */
void nope_x86_exp_minus(float *p, size_t n, float top);

/* x[k] = nope_kern_gelu_f32(x[k]) for k < n, several at a time. */
void nope_x86_gelu(float *x, size_t n);

/* o[i] = sum over n ascending of p[n] * value_n[i] (from 0), value n at values + n * stride. */
void nope_x86_weighted_sum(float *o, const float *p, const float *values, size_t n_keys, size_t dh, size_t stride);
#endif

#endif
