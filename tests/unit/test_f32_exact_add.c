/* The moments' inline shift-and-add (core/src/moments_f32.c add_odd_shifted) is
 * nope_words_add_shifted with a two-word term: the same answer to whether it fits and the same
 * words, for every shift across the word boundaries, terms of every length up to 53 bits, and
 * sums that carry through every word or would carry out of the top one.
 *
 * moments_f32.c itself is compiled into this test (so the library's copy is not linked), for its
 * static functions. */
#include "test_util.h"

#include "../../core/src/moments_f32.c"

static uint64_t rng_state = 0x13198A2E03707344u;

static uint64_t next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_add_odd_shifted(void **state)
{
    (void)state;
    enum { N = NOPE_F32_SQ_WORDS };
    int64_t cases = 0, fits = 0;
    for (unsigned n = 1; n <= N; n++)
        for (unsigned s = 0; s <= 32 * N + 2; s++)
            for (int kind = 0; kind < 12; kind++) {
                uint32_t w[N], want[N];
                for (unsigned k = 0; k < n; k++) /* random, all ones below the top, or nearly empty */
                    w[k] = kind % 3 == 0   ? (uint32_t)next()
                           : kind % 3 == 1 ? (k + 1 < n ? 0xFFFFFFFFu : 0x7FFFFFFFu)
                                           : (k == 0 ? 1u : 0u);
                if (kind >= 9)
                    w[n - 1] |= 0x80000000u;
                uint64_t odd = (next() >> (kind * 5 % 53 + 11)) | 1u;
                for (unsigned k = 0; k < n; k++)
                    want[k] = w[k];
                const uint32_t t[2] = {(uint32_t)odd, (uint32_t)(odd >> 32)};
                bool want_fit = nope_words_add_shifted(want, n, t, 2, s);
                bool got_fit = add_odd_shifted(w, n, odd, s);
                assert_int_equal(got_fit, want_fit);
                assert_memory_equal(w, want, n * sizeof w[0]);
                cases++;
                fits += got_fit;
            }
    print_message("add_odd_shifted against nope_words_add_shifted: %lld cases, %lld fit\n", (long long)cases,
                  (long long)fits);
    assert_true(fits > 0 && fits < cases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_add_odd_shifted)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
