/* The fixed-point mode's sums over trials: plain exact integers (sizes in nope/num_fixed.h), so
 * adding trials or merging shards in any order gives the same words. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_FIXED

#include "nope/num.h"
#include "nope/wide.h"

void nope_moments_add(nope_moments *m, nope_acc_t v)
{
    const uint32_t value[2] = {(uint32_t)v, (uint32_t)(v >> 32)};
    nope_u128 sq = nope_u128_mul64(v, v);
    const uint32_t square[4] = {(uint32_t)sq.lo, (uint32_t)(sq.lo >> 32), (uint32_t)sq.hi, (uint32_t)(sq.hi >> 32)};
    /* Never refused: below 2^84 and 2^148 for the at most 2^20 trials a run has. */
    nope_words_add_shifted(m->sum, NOPE_FX_SUM_WORDS, value, 2, 0);
    nope_words_add_shifted(m->sq, NOPE_FX_SQ_WORDS, square, 4, 0);
}

bool nope_moments_merge(nope_moments *into, const nope_moments *from)
{
    nope_moments sum = *into;
    if (!nope_words_add_shifted(sum.sum, NOPE_FX_SUM_WORDS, from->sum, NOPE_FX_SUM_WORDS, 0) ||
        !nope_words_add_shifted(sum.sq, NOPE_FX_SQ_WORDS, from->sq, NOPE_FX_SQ_WORDS, 0))
        return false;
    *into = sum;
    return true;
}

/* "<sum hex>:<sum_sq hex>" */
size_t nope_moments_text(char *buf, const nope_moments *m)
{
    size_t at = nope_words_to_hex(buf, m->sum, NOPE_FX_SUM_WORDS);
    buf[at++] = ':';
    return at + nope_words_to_hex(buf + at, m->sq, NOPE_FX_SQ_WORDS);
}

bool nope_moments_from_text(nope_moments *m, const char *text, size_t len)
{
    size_t colon = 0;
    while (colon < len && text[colon] != ':')
        colon++;
    return colon < len && nope_words_from_hex(m->sum, NOPE_FX_SUM_WORDS, text, colon) &&
           nope_words_from_hex(m->sq, NOPE_FX_SQ_WORDS, text + colon + 1, len - colon - 1);
}

#endif
