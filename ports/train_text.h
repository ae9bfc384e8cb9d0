/* Which bytes of the text a training run reads: the fixed split (the first floor(0.9 N) bytes
 * train, the last N - floor(0.9 N) are held out and never trained on), the training windows of a
 * step, and the fixed held-out windows of every evaluation. Pure functions of the text's length,
 * the seed and the step: freestanding, no I/O. A window is seq + 1 bytes (seq positions, each
 * scored on the byte after it). */
#ifndef NOPE_TRAIN_TEXT_H
#define NOPE_TRAIN_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* floor(0.9 n), exactly, for any n. */
size_t nope_text_train_bytes(size_t n);

/* The fewest bytes whose split leaves a window of seq + 1 bytes in each part. */
size_t nope_text_min_bytes(uint32_t seq);

/* batch windows of seq + 1 bytes for step `step`, one after another in dst: window b starts at
 * byte nope_rng_below(u32 element b of stream (seed, step, NOPE_RNG_TAG_WINDOW, 0),
 * train - seq) of the training part, train = nope_text_train_bytes(n) >= seq + 1. */
void nope_text_train_windows(uint8_t *dst, const uint8_t *text, size_t n, uint32_t seq, uint64_t seed, uint32_t step,
                             uint32_t batch);

/* Held-out window k of `windows`: they start evenly spaced over the held-out part, the first at
 * its first byte and (for windows > 1) the last ending at the text's last byte:
 * train + floor(k (held - seq - 1) / (windows - 1)). */
size_t nope_text_eval_offset(size_t n, uint32_t seq, uint32_t k, uint32_t windows);

#endif
