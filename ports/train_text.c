#include "train_text.h"

#include "nope/rng.h"

size_t nope_text_train_bytes(size_t n)
{
    return n / 10 * 9 + n % 10 * 9 / 10;
}

size_t nope_text_min_bytes(uint32_t seq)
{
    size_t n = 10 * ((size_t)seq + 1) - 10; /* below this the held-out tenth is shorter than a window */
    while (nope_text_train_bytes(n) < (size_t)seq + 1 || n - nope_text_train_bytes(n) < (size_t)seq + 1)
        n++;
    return n;
}

void nope_text_train_windows(uint8_t *dst, const uint8_t *text, size_t n, uint32_t seq, uint64_t seed, uint32_t step,
                             uint32_t batch)
{
    const size_t starts = nope_text_train_bytes(n) - seq; /* offsets 0 .. train - (seq + 1) */
    const nope_rng_stream s = nope_rng_stream_make(seed, step, NOPE_RNG_TAG_WINDOW, 0);
    for (uint32_t b = 0; b < batch; b++) {
        const uint8_t *from = text + nope_rng_below(nope_rng_u32(s, b), (uint32_t)starts);
        for (uint32_t i = 0; i <= seq; i++)
            *dst++ = from[i];
    }
}

size_t nope_text_eval_offset(size_t n, uint32_t seq, uint32_t k, uint32_t windows)
{
    const size_t train = nope_text_train_bytes(n), room = n - train - seq - 1;
    return windows < 2 ? train : train + (size_t)((uint64_t)k * room / (windows - 1u));
}
