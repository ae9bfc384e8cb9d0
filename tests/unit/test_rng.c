/* The counter-based generator and the integer Gaussian sampler (both numeric modes draw from
 * exactly these integers). */
#include <math.h>

#include "test_util.h"

#include "nope/config.h"
#include "nope/rng.h"

/* rng.c itself, compiled into this test (so the library's copy is not linked) with the host's
 * vectorised variants, so that every variant this CPU can run is checked against the draws one
 * at a time, not just the one the dispatch picks; and its generated table, which the reference
 * sampler below reads. */
#ifndef NOPE_HOST_CLONES
#define NOPE_HOST_CLONES 1
#endif
#include "../../core/src/rng.c"

static void test_streams_are_reproducible_and_distinct(void **state)
{
    (void)state;
    nope_rng_stream a = nope_rng_stream_make(7, 3, NOPE_RNG_TAG_WEIGHT, 12);
    nope_rng_stream b = nope_rng_stream_make(7, 3, NOPE_RNG_TAG_WEIGHT, 12);
    assert_true(a.key == b.key);
    for (uint64_t c = 0; c < 1000; c++)
        assert_true(nope_rng_u64(a, c) == nope_rng_u64(b, c));
    /* Any one coordinate changed gives another stream. */
    nope_rng_stream others[] = {
        nope_rng_stream_make(8, 3, NOPE_RNG_TAG_WEIGHT, 12),
        nope_rng_stream_make(7, 4, NOPE_RNG_TAG_WEIGHT, 12),
        nope_rng_stream_make(7, 3, NOPE_RNG_TAG_INPUT, 12),
        nope_rng_stream_make(7, 3, NOPE_RNG_TAG_WEIGHT, 13),
    };
    for (size_t k = 0; k < 4; k++) {
        assert_true(others[k].key != a.key);
        int same = 0;
        for (uint64_t c = 0; c < 1000; c++)
            same += nope_rng_u64(others[k], c) == nope_rng_u64(a, c);
        assert_int_equal(same, 0);
    }
    /* Random access: element e is the same whether or not earlier ones were drawn. */
    assert_true(nope_rng_u32(a, 999) == (uint32_t)(nope_rng_u64(a, 499) >> 32));
    assert_true(nope_rng_u32(a, 998) == (uint32_t)nope_rng_u64(a, 499));
}

/* Known values pin the generator: a change here changes every report. */
static void test_known_values(void **state)
{
    (void)state;
    nope_rng_stream s = nope_rng_stream_make(1, 0, NOPE_RNG_TAG_INPUT, 0);
    uint64_t v0 = nope_rng_u64(s, 0), v1 = nope_rng_u64(s, 1);
    print_message("stream(1,0,INPUT,0): %016llx %016llx\n", (unsigned long long)v0, (unsigned long long)v1);
    assert_true(v0 == 0x36c7396029cb78bcu && v1 == 0xa128ee5b5a5557b2u);
    assert_int_equal(nope_rng_gauss_q24(0x80000000u | 0x7FFFFFFFu), -nope_rng_gauss_q24(0x7FFFFFFFu));
}

static void test_uniform_bits_balanced(void **state)
{
    (void)state;
    nope_rng_stream s = nope_rng_stream_make(3, 0, NOPE_RNG_TAG_TOKENS, 0);
    const int n = 200000;
    int ones[32] = {0};
    uint32_t buckets[10] = {0};
    for (int e = 0; e < n; e++) {
        uint32_t u = nope_rng_u32(s, (uint64_t)e);
        for (int b = 0; b < 32; b++)
            ones[b] += (u >> b) & 1;
        uint32_t k = nope_rng_below(u, 10);
        assert_true(k < 10);
        buckets[k]++;
    }
    /* Each bit is a fair coin: within 5 standard errors (sqrt(n/4)). */
    for (int b = 0; b < 32; b++)
        assert_true(fabs(ones[b] - n / 2.0) < 5 * sqrt(n / 4.0));
    for (int k = 0; k < 10; k++)
        assert_true(fabs(buckets[k] - n / 10.0) < 5 * sqrt(n * 0.1 * 0.9));
    assert_int_equal(nope_rng_below(0xFFFFFFFFu, 7), 6);
    assert_int_equal(nope_rng_below(0, 7), 0);
}

/* First four moments of the sampler over 10^6 draws, each within 4 standard errors of the
 * normal's: SE of the mean 1/sqrt(n), of the variance sqrt(2/n), skewness sqrt(6/n),
 * kurtosis sqrt(24/n). */
static void test_gaussian_moments(void **state)
{
    (void)state;
    nope_rng_stream s = nope_rng_stream_make(11, 2, NOPE_RNG_TAG_WEIGHT, 0);
    const int n = nope_test_quick() ? 100000 : 1000000;
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (int e = 0; e < n; e++) {
        double z = nope_rng_gauss_q24(nope_rng_u32(s, (uint64_t)e)) / 16777216.0;
        m1 += z;
        m2 += z * z;
        m3 += z * z * z;
        m4 += z * z * z * z;
    }
    m1 /= n;
    m2 /= n;
    m3 /= n;
    m4 /= n;
    double var = m2 - m1 * m1;
    double skew = (m3 - 3 * m1 * m2 + 2 * m1 * m1 * m1) / pow(var, 1.5);
    double kurt = (m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 * m1 * m1 * m1) / (var * var);
    print_message("mean %.5f var %.5f skew %.5f kurtosis %.5f (n=%d)\n", m1, var, skew, kurt, n);
    assert_true(fabs(m1) < 4 / sqrt(n));
    assert_true(fabs(var - 1) < 4 * sqrt(2.0 / n));
    assert_true(fabs(skew) < 4 * sqrt(6.0 / n));
    assert_true(fabs(kurt - 3) < 4 * sqrt(24.0 / n));
}

/* The sampler is odd in its sign bit, monotone in its magnitude bits, and its quantile
 * function is within 1e-5 (relative, and 2e-7 absolute near 0) of Phi^-1 at table points. */
static void test_gaussian_shape(void **state)
{
    (void)state;
    int32_t previous = INT32_MAX;
    for (uint64_t m = 0; m < 0x80000000u; m += nope_test_quick() ? 65537 : 4099) {
        int32_t z = nope_rng_gauss_q24((uint32_t)m);
        assert_true(z <= previous); /* magnitude falls as p = (m + 1/2)/2^32 rises to 1/2 */
        assert_int_equal(nope_rng_gauss_q24((uint32_t)m | 0x80000000u), -z);
        previous = z;
    }
    assert_true(nope_rng_gauss_q24(0) > (int32_t)(6.2 * 16777216));
    assert_true(nope_rng_gauss_q24(0x7FFFFFFFu) < 16777216 / 1000000 + 2);
    /* p = 0.1586553 (m = 0x289E... ) should give |z| near 1.0: check with the 1-sigma point. */
    uint32_t m1 = (uint32_t)(0.15865525393145707 * 4294967296.0);
    assert_true(fabs(nope_rng_gauss_q24(m1) / 16777216.0 - 1.0) < 1e-5);
}

/* Scaled draws: exactly round(z scale / 2^28), on the 2^-20 grid. */
static void test_scaled_draw_exact(void **state)
{
    (void)state;
    nope_rng_stream s = nope_rng_stream_make(2, 0, NOPE_RNG_TAG_INPUT, 0);
    const uint32_t scales[] = {1, 335544, 33554432, 1677721};
    for (size_t k = 0; k < 4; k++)
        for (uint64_t e = 0; e < 20000; e++) {
            int64_t z = nope_rng_gauss_q24(nope_rng_u32(s, e));
            int64_t prod = z * (int64_t)scales[k];
            int64_t mag = ((prod < 0 ? -prod : prod) + (1 << 27)) >> 28;
            assert_true(nope_rng_gauss_draw(s, e, scales[k]) == (prod < 0 ? -mag : mag));
        }
}

/* The sampler as it was first written (a loop for floor(log2 m), a 64-bit product for the
 * interpolation): nope_rng_gauss_q24's faster form must give the very same integers. */
static int32_t reference_gauss_q24(uint32_t bits)
{
    enum { CELL_BITS = NOPE_GAUSS_CELL_BITS, CELLS = 1 << CELL_BITS };
    uint32_t m = bits & UINT32_C(0x7FFFFFFF);
    int32_t magnitude;
    if (m < CELLS) {
        magnitude = nope_gauss_tail_q24[m];
    } else {
        unsigned k = 0;
        for (uint32_t v = m; v >>= 1;)
            k++;
        unsigned shift = k - CELL_BITS;
        uint32_t j = (m >> shift) - CELLS;
        uint32_t f = m & ((UINT32_C(1) << shift) - 1);
        uint32_t cell = (k - CELL_BITS) * CELLS + j;
        int32_t hi = nope_gauss_grid_q24[cell], lo = nope_gauss_grid_q24[cell + 1];
        uint64_t drop = (uint64_t)(uint32_t)(hi - lo) * (2 * (uint64_t)f + 1);
        magnitude = hi - (int32_t)((drop + (UINT64_C(1) << shift)) >> (shift + 1));
    }
    return (bits >> 31) ? -magnitude : magnitude;
}

static int64_t gauss_mismatches(uint32_t m_first, uint32_t m_end, uint32_t step)
{
    int64_t bad = 0;
    for (uint64_t m = m_first; m < m_end; m += step) {
        bad += nope_rng_gauss_q24((uint32_t)m) != reference_gauss_q24((uint32_t)m);
        bad += nope_rng_gauss_q24((uint32_t)m | 0x80000000u) != reference_gauss_q24((uint32_t)m | 0x80000000u);
    }
    return bad;
}

static void test_gauss_equals_reference(void **state)
{
    (void)state;
    const int quick = nope_test_quick();
    /* Every magnitude below 2^22 (the tail table, the cells 4 bits either side of the switch
     * between one product and the split one at shift 13/14), then a stride through the rest. */
    int64_t bad = gauss_mismatches(0, quick ? 1u << 18 : 1u << 22, 1);
    bad += gauss_mismatches(1u << 22, 0x80000000u, quick ? 65521 : 997);
    /* Each cell's first and last two values, and the one where each cell's largest product
     * (2f + 1 largest) occurs; the top of the range. */
    for (uint32_t k = 7; k <= 30; k++)
        for (uint32_t j = 0; j < 128; j++) {
            uint32_t start = (UINT32_C(1) << k) + j * (UINT32_C(1) << (k - 7));
            uint32_t end = start + (UINT32_C(1) << (k - 7)); /* exclusive */
            bad += gauss_mismatches(start, start + 2 < end ? start + 2 : end, 1);
            bad += gauss_mismatches(end - 2 > start ? end - 2 : start, end, 1);
        }
    bad += gauss_mismatches(0x7FFFFF00u, 0x80000000u, 1);
    /* Whole cells where hi - lo is largest (the top octave's last cells) and the first cell of
     * the octave where the product is split. */
    bad += gauss_mismatches(0x7F000000u, 0x7FFFFF00u, quick ? 61 : 1);
    bad += gauss_mismatches(1u << 21, (1u << 21) + (1u << 14), 1);
    print_message("gauss_q24 against the reference: %lld mismatches\n", (long long)bad);
    assert_int_equal(bad, 0);
}

/* A run of draws is the same integers as the draws one at a time: any stream, first element
 * (even, odd, huge, next to 2^64 where the element numbers wrap), length and scale. */
static void test_draw_run_equals_scalar(void **state)
{
    (void)state;
    enum { MAX_N = 5000 };
    static int32_t run[MAX_N + 2];
#if NOPE_NUM == NOPE_NUM_F32
    static float run_f32[MAX_N + 2]; /* the float32 mode's runs of floats */
    const float unit = 1.0f / (float)(1L << NOPE_DRAW_FRAC_BITS);
#endif
    const uint64_t firsts[] = {0,
                               1,
                               2,
                               3,
                               7,
                               64,
                               1000001,
                               2359295,
                               UINT64_C(1) << 40,
                               (UINT64_C(1) << 63) - 3,
                               UINT64_MAX - 2,
                               UINT64_MAX - 9,
                               UINT64_MAX};
    const size_t lengths[] = {0,  1,  2,  3,   4,   5,   15,   16,   17,   31,   33,
                              63, 64, 65, 255, 256, 257, 2047, 2048, 2049, 2050, 4999};
    const uint32_t scales[] = {0, 1, 335544, 16777216, 25165824, UINT32_MAX};
    int64_t bad = 0, checked = 0;
    for (uint32_t stream = 0; stream < 6; stream++) {
        nope_rng_stream s = nope_rng_stream_make(stream * 977u + 1, stream, 1 + stream % 4, stream * 3);
        for (size_t a = 0; a < sizeof firsts / sizeof firsts[0]; a++)
            for (size_t b = 0; b < sizeof lengths / sizeof lengths[0]; b++) {
                uint32_t scale = scales[(a + b + stream) % (sizeof scales / sizeof scales[0])];
                size_t n = lengths[b];
                run[n] = run[n + 1] = 0x5A5A5A5A; /* a run writes n values and no more */
                nope_rng_gauss_draw_run(run, s, firsts[a], n, scale);
                for (size_t k = 0; k < n; k++)
                    bad += run[k] != nope_rng_gauss_draw(s, firsts[a] + k, scale);
                bad += run[n] != 0x5A5A5A5A || run[n + 1] != 0x5A5A5A5A;
#if NOPE_NUM == NOPE_NUM_F32
                run_f32[n] = run_f32[n + 1] = 0.5f;
                nope_rng_gauss_draw_run_f32(run_f32, s, firsts[a], n, scale, unit);
                for (size_t k = 0; k < n; k++) {
                    float f = (float)nope_rng_gauss_draw(s, firsts[a] + k, scale) * unit;
                    bad += __builtin_memcmp(&run_f32[k], &f, sizeof f) != 0; /* the same bits, -0 or not */
                }
                bad += run_f32[n] != 0.5f || run_f32[n + 1] != 0.5f;
#endif
                checked += (int64_t)n;
            }
    }
    print_message("runs against single draws: %lld values, %lld mismatches\n", (long long)checked, (long long)bad);
    assert_int_equal(bad, 0);
}

/* Blocks of rows are the same floats as the rows drawn one by one: rows short and long, strides
 * and first elements even (one vector pipeline through every row) and odd (row by row), up to
 * the end of the element numbers. */
static void test_draw_rows_equals_runs(void **state)
{
    (void)state;
#if NOPE_NUM != NOPE_NUM_F32
    skip(); /* floats straight from the draws are the float32 mode's */
#else
    enum { MAX_ROWS = 19, MAX_COLS = 70, PITCH = 72 };
    static float block[MAX_ROWS * PITCH + 1], row[MAX_COLS];
    const float unit = 1.0f / (float)(1L << NOPE_DRAW_FRAC_BITS);
    const uint64_t firsts[] = {0, 1, 6, 4096, UINT64_MAX - 2 * 18 * 64 - 70, UINT64_MAX - 69};
    const uint64_t strides[] = {0, 1, 16, 64, 65, 256, 3072};
    const size_t rows[] = {0, 1, 2, 3, 5, 19}, cols[] = {0, 1, 2, 15, 16, 17, 30, 32, 34, 48, 64, 70};
    int64_t bad = 0, checked = 0;
    nope_rng_stream s = nope_rng_stream_make(41, 3, NOPE_RNG_TAG_WEIGHT, 17);
    for (size_t a = 0; a < sizeof firsts / sizeof firsts[0]; a++)
        for (size_t b = 0; b < sizeof strides / sizeof strides[0]; b++)
            for (size_t c = 0; c < sizeof rows / sizeof rows[0]; c++)
                for (size_t d = 0; d < sizeof cols / sizeof cols[0]; d++) {
                    const uint32_t scale = 335544u + (uint32_t)(a + b + c + d) * 1000003u;
                    const size_t nr = rows[c], nc = cols[d];
                    for (size_t k = 0; k < MAX_ROWS * PITCH + 1; k++)
                        block[k] = 0.5f;
                    nope_rng_gauss_draw_rows_f32(block, PITCH, s, firsts[a], strides[b], nr, nc, scale, unit);
                    for (size_t r = 0; r < nr; r++) {
                        nope_rng_gauss_draw_run_f32(row, s, firsts[a] + r * strides[b], nc, scale, unit);
                        bad += __builtin_memcmp(block + r * PITCH, row, nc * sizeof(float)) != 0;
                        for (size_t k = nc; k < PITCH; k++) /* nothing written between rows */
                            bad += block[r * PITCH + k] != 0.5f;
                        checked += (int64_t)nc;
                    }
                    for (size_t k = nr * PITCH; k < MAX_ROWS * PITCH + 1; k++)
                        bad += block[k] != 0.5f;
                }
    print_message("blocks of rows against runs: %lld values, %lld mismatches\n", (long long)checked, (long long)bad);
    assert_int_equal(bad, 0);
#endif
}

/* Each vectorised variant of a run of pairs that this CPU can run, on its own. */
static void test_draw_pair_variants(void **state)
{
    (void)state;
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    void (*const variants[])(int32_t *, uint64_t, size_t, uint32_t) = {draw_pairs_avx512, draw_pairs_avx2,
                                                                       draw_pairs_plain};
    const int runnable[] = {__builtin_cpu_supports("x86-64-v4"), __builtin_cpu_supports("x86-64-v3"), 1};
    static int32_t out[2 * 1100];
#if NOPE_NUM == NOPE_NUM_F32
    static float out_f32[2 * 1100 + 1];
#endif
    int tried = 0;
    for (int v = 0; v < 3; v++) {
        if (!runnable[v])
            continue;
        tried++;
        for (uint32_t stream = 0; stream < 4; stream++) {
            nope_rng_stream s = nope_rng_stream_make(stream, 9, NOPE_RNG_TAG_WEIGHT, stream);
            const uint64_t counters[] = {0, 12345, UINT64_C(1) << 62};
            /* 8 pairs make one block of the AVX-512 variant, which works three blocks deep */
            const size_t pairs[] = {1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 32, 33, 1100};
            for (size_t c = 0; c < 3; c++)
                for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
                    uint32_t scale = 1000003u * (uint32_t)(p + 1) + stream;
                    variants[v](out, s.key + GOLDEN_GAMMA * (counters[c] + 1), pairs[p], scale);
                    for (size_t k = 0; k < 2 * pairs[p]; k++)
                        assert_int_equal(out[k], nope_rng_gauss_draw(s, 2 * counters[c] + k, scale));
#if NOPE_NUM == NOPE_NUM_F32
                    if (v != 0)
                        continue;
                    /* The AVX-512 float variant, against the integers converted one at a time. */
                    out_f32[2 * pairs[p]] = 0.5f;
                    assert_true(draw_rows_avx512_f32(out_f32, 0, s.key + GOLDEN_GAMMA * (counters[c] + 1), 0, 1,
                                                     pairs[p], scale, 0x1p-20f));
                    for (size_t k = 0; k < 2 * pairs[p]; k++) {
                        float f = (float)nope_rng_gauss_draw(s, 2 * counters[c] + k, scale) * 0x1p-20f;
                        assert_memory_equal(&out_f32[k], &f, sizeof f);
                    }
                    assert_true(out_f32[2 * pairs[p]] == 0.5f); /* nothing written past the run */
#endif
                }
        }
    }
    print_message("variants run and checked: %d of 3\n", tried);
#else
    skip();
#endif
}

/* The far tail (|m| < 128, one draw in 2^24) goes another way inside a run: find elements whose
 * bits fall there and draw runs that contain them. */
static void test_draw_run_far_tail(void **state)
{
    (void)state;
    nope_rng_stream s = nope_rng_stream_make(5, 0, NOPE_RNG_TAG_WEIGHT, 1);
    const uint64_t limit = nope_test_quick() ? UINT64_C(1) << 26 : UINT64_C(1) << 28;
    int found = 0;
    int32_t run[41];
    for (uint64_t e = 0; e < limit && found < 3; e++) {
        if ((nope_rng_u32(s, e) & 0x7FFFFF80u) != 0)
            continue;
        found++;
        for (uint64_t first = e > 20 ? e - 20 : 0; first <= e; first += 7) {
            nope_rng_gauss_draw_run(run, s, first, 41, 16777216u);
            for (size_t k = 0; k < 41; k++)
                assert_int_equal(run[k], nope_rng_gauss_draw(s, first + k, 16777216u));
#if NOPE_NUM == NOPE_NUM_F32
            float run_f32[41];
            nope_rng_gauss_draw_run_f32(run_f32, s, first, 41, 16777216u, 0x1p-20f);
            for (size_t k = 0; k < 41; k++)
                assert_true(run_f32[k] == (float)run[k] * 0x1p-20f);
#endif
        }
#if NOPE_NUM == NOPE_NUM_F32
        /* In a block of rows drawn in one pipeline: two rows of 40 from an even element. */
        float block[80];
        uint64_t first = (e > 40 ? e - 40 : 0) & ~UINT64_C(1);
        nope_rng_gauss_draw_rows_f32(block, 40, s, first, 40, 2, 40, 16777216u, 0x1p-20f);
        for (size_t k = 0; k < 80; k++)
            assert_true(block[k] == (float)nope_rng_gauss_draw(s, first + k, 16777216u) * 0x1p-20f);
#endif
        /* |z| > 5.4 (the tail table's smallest value is 5.42), here on the draw grid at scale 1 */
        int32_t z = nope_rng_gauss_draw(s, e, 16777216u);
        assert_true(z > 5.4 * (1 << 20) || z < -5.4 * (1 << 20));
    }
    print_message("far-tail elements found and checked in runs: %d\n", found);
    assert_true(found >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams_are_reproducible_and_distinct),
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_uniform_bits_balanced),
        cmocka_unit_test(test_gaussian_moments),
        cmocka_unit_test(test_gaussian_shape),
        cmocka_unit_test(test_scaled_draw_exact),
        cmocka_unit_test(test_gauss_equals_reference),
        cmocka_unit_test(test_draw_run_equals_scalar),
        cmocka_unit_test(test_draw_rows_equals_runs),
        cmocka_unit_test(test_draw_pair_variants),
        cmocka_unit_test(test_draw_run_far_tail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
