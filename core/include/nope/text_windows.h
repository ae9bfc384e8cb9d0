/* Which bytes of a held-out text one trial of a trained model reads (docs/science.md, "Trained
 * models"). Trial t reads the window of seq + 1 bytes at
 *
 *     offset = nope_rng_below(nope_rng_u32(nope_rng_stream_make(seed, t, NOPE_RNG_TAG_TEXT, 0), 0),
 *                             len - seq)
 *
 * (0 <= offset <= len - seq - 1): its first seq bytes are the model's input, and byte m + 1 is
 * what position m (0-based) predicts. A pure function of (seed, trial, len, seq), like every draw,
 * so shards, threads and boards read the same windows and tools/torch-check can too (Python:
 * the SplitMix64 key and mix of core/src/rng.c, then (bits * n) >> 32). */
#ifndef NOPE_TEXT_WINDOWS_H
#define NOPE_TEXT_WINDOWS_H

#include <stddef.h>
#include <stdint.h>

/* Longest text a window can start anywhere in: nope_rng_below takes n < 2^32. */
#define NOPE_TEXT_MAX_BYTES UINT64_C(0xffffffff)

/* The offset of trial's window in a text of len >= seq + 1 bytes (len <= NOPE_TEXT_MAX_BYTES). */
uint32_t nope_text_window_offset(uint64_t seed, uint32_t trial, uint64_t len, uint32_t seq);

#endif
