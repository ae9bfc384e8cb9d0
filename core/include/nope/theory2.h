/* Layer 1's attention-output variance beyond first order (docs/science.md, "Beyond first
 * order"): E[attn_var at position m] = d^2 sigma^4 c G(m), where G(m) is the expected weight
 * the softmax puts on the values, E[|sum_n a_n h_n|^2] / (d c), for Gaussian logits of scale
 * s = sigma^2 d c. G(m) = 1/m (times 1 + (m-1)/V with tokens) is the paper's first order; here
 * G comes from numerical integration, exact for Gaussian logits, with a two-point rule for how
 * the logits' scale varies between heads and trials.
 *
 * Integer arithmetic only (Q40 in int64), so both numeric modes and every target compute the
 * same G bits; time and memory are bounded: a few thousand exponentials per block of
 * NOPE_THEORY2_BLOCK positions while s is small (a few hundred thousand at the largest s), and
 * a cache of one block. */
#ifndef NOPE_THEORY2_H
#define NOPE_THEORY2_H

#include <stdbool.h>
#include <stdint.h>

#include "nope/config.h"

enum { NOPE_THEORY2_FRAC = 40 };     /* G and c are Q40 */
#define NOPE_THEORY2_S_MAX 12        /* largest logit scale integrated (after the 2-point rule) */
#define NOPE_THEORY2_S_MAX_TEXT "12" /* the same, for messages */
/* Positions computed together and cached: the grids are integrated once per block, so a larger
 * block is faster and takes 40 bytes of RAM per position; the bits do not depend on it. */
#ifndef NOPE_THEORY2_BLOCK
#define NOPE_THEORY2_BLOCK (NOPE_MAX_SEQ <= 128 ? 16 : 128)
#endif

/* The logit scale s = sigma^2 d c (the logits' standard deviation, c given in Q40), in Q40. */
int64_t nope_theory2_scale_q40(const nope_config *cfg, int64_t c_q40);

/* Whether G is computed for this configuration: false when the logits' scale after the
 * two-point rule exceeds NOPE_THEORY2_S_MAX (softmax is then close to a one-hot choice and the
 * integration would need more points than a board should spend). */
bool nope_theory2_defined(const nope_config *cfg, int64_t c_q40);

/* G(pos + 1) in Q40 (pos 0-based), for a defined configuration. Fastest when positions are
 * asked in ascending order (each block is computed once). */
int64_t nope_theory2_g_q40(const nope_config *cfg, int64_t c_q40, uint32_t pos);

#endif
