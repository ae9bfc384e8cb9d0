/* The x86-64 host's causal attention (gcc, NOPE_HOST_CLONES): sixteen queries of one head at a
 * time as blocked products, where nope_kern_attend takes one query at a time. Same bits as
 * nope_kern_attend for every query (attention_f32_x86.c says why). */
#ifndef NOPE_ATTENTION_F32_X86_H
#define NOPE_ATTENTION_F32_X86_H

#include <stddef.h>

#include "kernels_f32_x86.h"

#if NOPE_F32_X86
#include "nope/kernels.h"

/* Queries in one tile: the lanes of a 16-float vector. */
#define NOPE_X86_ATTEND_TILE 16

/* Floats of scratch one call needs, for up to max_keys keys and heads up to max_dh wide: the
 * tile's queries and its scores, each transposed (a multiple of 16 floats, so per-worker rows of
 * a 64-byte aligned array stay aligned). */
#define NOPE_X86_ATTEND_SCRATCH(max_keys, max_dh) (((size_t)(max_keys) + (size_t)(max_dh)) * NOPE_X86_ATTEND_TILE)

/* For j < nq (nq <= NOPE_X86_ATTEND_TILE): query m0 + j, its head's dh values at q + j * stride,
 * attends causally to keys and values n = 0 .. m0 + j (at keys + n * stride, values + n * stride);
 * its output goes to o + j * stride, which may be its own q. Bit for bit
 *   nope_kern_attend(o + j * stride, q + j * stride, keys, values, m0 + j + 1, dh, stride, row, kp)
 * for each j in turn. scratch: NOPE_X86_ATTEND_SCRATCH(m0 + nq, dh) floats, 64-byte aligned. */
void nope_x86_attend_tile(float *o, const float *q, const float *keys, const float *values, size_t m0, size_t nq,
                          size_t dh, size_t stride, float *scratch, const nope_kern_params *kp);
#endif

#endif
