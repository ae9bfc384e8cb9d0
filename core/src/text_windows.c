#include "nope/text_windows.h"

#include "nope/rng.h"

uint32_t nope_text_window_offset(uint64_t seed, uint32_t trial, uint64_t len, uint32_t seq)
{
    nope_rng_stream s = nope_rng_stream_make(seed, trial, NOPE_RNG_TAG_TEXT, 0);
    return nope_rng_below(nope_rng_u32(s, 0), (uint32_t)(len - seq));
}
