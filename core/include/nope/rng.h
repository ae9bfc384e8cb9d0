/* Deterministic random numbers: a counter-based generator and an integer Gaussian sampler.
 *
 * Counter-based: value number c of stream (seed, trial, tag, index) is a pure function of those
 * five numbers, so the weights of trial t, layer l, matrix k can be drawn in any order, in part
 * or in full, as often as memory requires, and always come out the same. The mixing function is
 * SplitMix64's (Steele, Lea, Flood 2014), whose outputs pass BigCrush. */
#ifndef NOPE_RNG_H
#define NOPE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t key;
} nope_rng_stream;

/* What a stream is for: part of its key, so no two uses share numbers. */
enum {
    NOPE_RNG_TAG_INPUT = 1,  /* gaussian inputs x_m, element m*d + i */
    NOPE_RNG_TAG_TOKENS = 2, /* token ids, element m */
    NOPE_RNG_TAG_EMBED = 3,  /* embedding row of token (index = token id), element i */
    NOPE_RNG_TAG_WEIGHT = 4, /* weight matrix (index = layer*8 + matrix), element i*n_out + j */
    NOPE_RNG_TAG_TEXT = 5,   /* a trained model's text window (index 0), element 0 (nope/text_windows.h) */
    NOPE_RNG_TAG_WINDOW = 6  /* nope-train's training windows: trial = step, index 0, element = window */
};

nope_rng_stream nope_rng_stream_make(uint64_t seed, uint32_t trial, uint32_t tag, uint32_t index);

/* 64 random bits: number c of the stream. */
uint64_t nope_rng_u64(nope_rng_stream s, uint64_t c);

/* 32 random bits: element e of the stream (two per 64-bit value). */
uint32_t nope_rng_u32(nope_rng_stream s, uint64_t e);

/* A uniform integer in [0, n), n >= 1, from 32 random bits (multiply-shift; its bias is below
 * n / 2^32, under 4e-3 even at the largest vocabulary capacity, far under 1e-6 at 256). */
uint32_t nope_rng_below(uint32_t bits, uint32_t n);

/* A standard normal variate times 2^24, from 32 random bits: the sign bit chooses the side,
 * the other 31 bits the quantile p = (m + 1/2) / 2^32, inverted by table interpolation.
 * |result| <= 6.34 * 2^24 (the quantile at p = 2^-33); relative error of the quantile function
 * below 1e-5 (5e-6 measured, at worst near p = 1/4), plus one unit of the final rounding. */
int32_t nope_rng_gauss_q24(uint32_t bits);

/* Element e of the stream as N(0, scale^2) on the draw grid: the integer
 * round(z * scale_q / 2^(24 + NOPE_SCALE_FRAC_BITS - NOPE_DRAW_FRAC_BITS)), i.e. a value in
 * units of 2^-NOPE_DRAW_FRAC_BITS, where scale_q = scale * 2^NOPE_SCALE_FRAC_BITS. */
int32_t nope_rng_gauss_draw(nope_rng_stream s, uint64_t e, uint32_t scale_q);

/* out[k] = nope_rng_gauss_draw(s, e0 + k, scale_q) for k < n, exactly, for any e0 and n: each
 * 64-bit hash is computed once for its two elements, and on a host the loops are vectorised. */
void nope_rng_gauss_draw_run(int32_t *out, nope_rng_stream s, uint64_t e0, size_t n, uint32_t scale_q);

/* Float32 builds only. out[k] = (float)d_k * unit, d_k as nope_rng_gauss_draw_run gives them:
 * a host's float32 weights straight from the vectors that draw them, no pass through integers. */
void nope_rng_gauss_draw_run_f32(float *out, nope_rng_stream s, uint64_t e0, size_t n, uint32_t scale_q, float unit);

/* Float32 builds only. out[r out_stride + j] = (float)d * unit, d the draw of element e0 + r e_stride + j, for r < rows
 * and j < cols: a block of a weight matrix in one call, so a host's vector pipeline stays full
 * across its short rows. */
void nope_rng_gauss_draw_rows_f32(float *out, size_t out_stride, nope_rng_stream s, uint64_t e0, uint64_t e_stride,
                                  size_t rows, size_t cols, uint32_t scale_q, float unit);

#endif
