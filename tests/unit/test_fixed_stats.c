/* The fixed-point statistics: the exact sums over trials cannot overflow (the largest per-trial
 * value added NOPE_MAX_TRIALS times, checked limb by limb), and the integer-only summary
 * (mean, standard error, theory, c, slopes, ratio, notes) against long double references. */
#include <math.h>
#include <stdio.h>

#include "test_util.h"

#include "nope/math_fixed.h"
#include "nope/summary.h"

typedef unsigned __int128 u128;

static long double dec_value(const nope_dec *v)
{
    long double x = (long double)v->digits;
    for (int e = v->exp10; e > 0; e--)
        x *= 10.0L;
    for (int e = v->exp10; e < 0; e++)
        x /= 10.0L;
    return v->neg ? -x : x;
}

static nope_config base_config(uint32_t layers, uint32_t seq, uint32_t trials)
{
    nope_config cfg = {0};
    cfg.d = 64;
    cfg.heads = 4;
    cfg.layers = layers;
    cfg.ffn = 256;
    cfg.seq = seq;
    cfg.vocab = 256;
    cfg.trials = trials;
    cfg.sigma = (nope_dec){2, -2, false, NOPE_DEC_FINITE};
    cfg.sigma_in = cfg.sigma;
    cfg.eps = (nope_dec){1, -5, false, NOPE_DEC_FINITE};
    cfg.sigma_q = 335544; /* 0.02 * 2^24, rounded */
    cfg.sigma_in_q = 335544;
    return cfg;
}

static const long double STAT_ONE = 281474976710656.0L; /* 2^48: Q(2F) at F = 24 */

static long double stat_unit(void)
{
    return ldexpl(1.0L, NOPE_FX_STAT_FRAC);
}

/* The exact sum and its square's sum of a stream, in 32-bit limbs (the reference). */
enum { REF_LIMBS = 6 };
static void ref_add_at(uint32_t *limbs, unsigned pos, uint64_t v)
{
    uint64_t carry = (uint64_t)limbs[pos] + (uint32_t)v;
    limbs[pos] = (uint32_t)carry;
    carry = (carry >> 32) + (v >> 32);
    for (unsigned k = pos + 1; k < REF_LIMBS; k++) {
        carry += limbs[k];
        limbs[k] = (uint32_t)carry;
        carry >>= 32;
    }
}

static void ref_add_square(uint32_t *limbs, uint64_t v)
{
    uint64_t a = v >> 32, b = v & UINT32_MAX;
    ref_add_at(limbs, 0, b * b);
    ref_add_at(limbs, 1, a * b);
    ref_add_at(limbs, 1, a * b);
    ref_add_at(limbs, 2, a * a);
}

static u128 moments_sum(const nope_moments *m)
{
    return (u128)m->sum[0] | (u128)m->sum[1] << 32 | (u128)m->sum[2] << 64;
}

/* The largest per-trial value, UINT64_MAX, added NOPE_MAX_TRIALS times: both sums stay exact
 * (T (2^64 - 1) < 2^84 in 96 bits, T (2^64 - 1)^2 < 2^148 in 160), and the summary reads them. */
static void test_accumulators_hold_max_value_max_trials(void **state)
{
    (void)state;
    const uint32_t trials = NOPE_MAX_TRIALS;
    nope_config cfg = base_config(1, 2, trials);
    nope_stats_reset(&cfg);
    for (uint32_t t = 0; t < trials; t++) {
        nope_stats_add(NOPE_STAT_ATTN, 0, 0, UINT64_MAX);
        nope_stats_add(NOPE_STAT_HID, 0, 1, UINT64_MAX);
    }
    const nope_moments *m = nope_stats_get(NOPE_STAT_ATTN, 0, 0);
    assert_true(moments_sum(m) == (u128)trials * UINT64_MAX);
    uint32_t ref[REF_LIMBS] = {0};
    /* T (2^64-1)^2, by multiplying the square's limbs by T rather than adding it T times */
    u128 sq = (u128)UINT64_MAX * UINT64_MAX;
    uint64_t carry = 0;
    for (int k = 0; k < REF_LIMBS; k++) {
        uint64_t limb = k < 4 ? (uint32_t)(sq >> (32 * k)) : 0;
        uint64_t v = limb * trials + carry;
        ref[k] = (uint32_t)v;
        carry = v >> 32;
    }
    assert_memory_equal(m->sq, ref, sizeof m->sq);
    assert_memory_equal(nope_stats_get(NOPE_STAT_ATTN, 0, 0), nope_stats_get(NOPE_STAT_HID, 0, 1),
                        sizeof(nope_moments));

    nope_summary_row row;
    nope_summary_row_get(&cfg, 0, 0, &row);
    /* (2^64 - 1) / 2^48 = 65535.99999999999644: 9 digits 6.55360000e4; all equal: SE exactly 0 */
    assert_true(row.var[NOPE_STAT_ATTN].digits == 655360000 && row.var[NOPE_STAT_ATTN].exp10 == -4);
    assert_true(row.se[NOPE_STAT_ATTN].digits == 0);
    nope_summary_row_get(&cfg, 0, 1, &row);
    assert_true(row.var[NOPE_STAT_HID].digits == 655360000 && row.var[NOPE_STAT_HID].exp10 == -4);
}

/* Both sums equal exact limb references, and merging any split of the stream in any order gives
 * the very same words as adding it in one go. */
static void test_sums_exact_and_split_invariant(void **state)
{
    (void)state;
    uint64_t rng = 7;
    for (int rep = 0; rep < 50; rep++) {
        nope_moments whole = {{0}, {0}}, parts[3] = {{{0}, {0}}, {{0}, {0}}, {{0}, {0}}};
        uint32_t ref_sum[REF_LIMBS] = {0}, ref_sq[REF_LIMBS] = {0};
        int n = nope_test_quick() ? 2000 : 20000;
        for (int k = 0; k < n; k++) {
            uint64_t v =
                nope_test_splitmix(&rng) >> (rep % 2 ? (unsigned)(nope_test_splitmix(&rng) % 64) : (unsigned)rep);
            nope_moments_add(&whole, v);
            nope_moments_add(&parts[nope_test_splitmix(&rng) % 3], v);
            ref_add_at(ref_sum, 0, v);
            ref_add_square(ref_sq, v);
        }
        assert_memory_equal(whole.sum, ref_sum, sizeof whole.sum);
        assert_memory_equal(whole.sq, ref_sq, sizeof whole.sq);
        nope_moments merged = parts[2];
        assert_true(nope_moments_merge(&merged, &parts[0]));
        assert_true(nope_moments_merge(&merged, &parts[1]));
        assert_memory_equal(&merged, &whole, sizeof whole);
    }
}

/* Means and standard errors: 9 significant digits of the exact values (relative 1e-8). */
static void test_mean_and_se_against_long_double(void **state)
{
    (void)state;
    uint64_t rng = 21;
    const uint32_t trials = 777;
    nope_config cfg = base_config(2, 8, trials);
    nope_stats_reset(&cfg);
    long double s[2][8] = {{0}}, s2[2][8] = {{0}};
    for (uint32_t t = 0; t < trials; t++) {
        for (uint32_t l = 0; l < 2; l++) {
            for (uint32_t p = 0; p < 8; p++) {
                /* values from 1 LSB to 2^63, spread over scales by position */
                uint64_t v = (nope_test_splitmix(&rng) >> (1 + 8 * p)) | 1u;
                nope_stats_add(NOPE_STAT_ATTN, l, p, v);
                nope_stats_add(NOPE_STAT_HID, l, p, v / 3 + 1);
                if (l == 0) {
                    s[0][p] += (long double)v;
                    s2[0][p] += (long double)v * (long double)v;
                    s[1][p] += (long double)(v / 3 + 1);
                    s2[1][p] += (long double)(v / 3 + 1) * (long double)(v / 3 + 1);
                }
            }
        }
    }
    for (uint32_t p = 0; p < 8; p++) {
        nope_summary_row row;
        nope_summary_row_get(&cfg, 0, p, &row);
        for (int which = 0; which < 2; which++) {
            long double mean = s[which][p] / trials;
            long double var = (s2[which][p] - trials * mean * mean) / (trials - 1);
            long double se = sqrtl(var / trials);
            const nope_dec *gm = &row.var[which], *gs = &row.se[which];
            assert_true(gm->digits >= 100000000 && gm->digits < 1000000000);
            assert_true(fabsl(dec_value(gm) - mean / stat_unit()) <= 1e-8L * mean / stat_unit());
            /* long double's own cancellation in s2 - T mean^2 costs ~T 2^-64 relative */
            assert_true(fabsl(dec_value(gs) - se / stat_unit()) <= 1e-7L * se / stat_unit());
        }
    }
}

static long double theory_ref(const nope_config *cfg, uint32_t pos)
{
    long double s = (long double)(cfg->input == NOPE_INPUT_TOKENS ? cfg->sigma_q : cfg->sigma_in_q) / 16777216.0L;
    long double sigma = (long double)cfg->sigma_q / 16777216.0L, d = cfg->d, m = pos + 1;
    long double v = s * s * (d - 1) / d, c = v / (v + dec_value(&cfg->eps));
    long double t = d * d * sigma * sigma * sigma * sigma * c / m;
    if (cfg->input == NOPE_INPUT_TOKENS)
        t *= 1.0L + (m - 1) / cfg->vocab;
    return t;
}

static void test_theory_and_c_are_exact(void **state)
{
    (void)state;
    nope_config cfg = base_config(1, 64, 10);
    const nope_dec eps_values[] = {{1, -5, false, 0},
                                   {1, -12, false, 0},
                                   {123456789012345678, -29, false, 0},
                                   {1, 0, false, 0},
                                   {5, -1, false, 0}};
    for (int e = 0; e < 5; e++) {
        for (int tok = 0; tok < 2; tok++) {
            cfg.eps = eps_values[e];
            cfg.input = tok ? NOPE_INPUT_TOKENS : NOPE_INPUT_GAUSSIAN;
            cfg.sigma_q = tok ? 33554432 : 1678; /* sigma 2, 1e-4 */
            cfg.sigma_in_q = 20000000;
            cfg.vocab = 17;
            nope_stats_reset(&cfg);
            nope_dec c = nope_summary_theory_c(&cfg);
            long double s = (long double)(tok ? cfg.sigma_q : cfg.sigma_in_q) / 16777216.0L;
            long double v = s * s * 63.0L / 64.0L, want_c = v / (v + dec_value(&cfg.eps));
            assert_true(fabsl(dec_value(&c) - want_c) <= 6e-9L * want_c);
            for (uint32_t p = 0; p < 64; p += 9) {
                nope_summary_row row;
                nope_summary_row_get(&cfg, 0, p, &row);
                long double want = theory_ref(&cfg, p);
                assert_true(fabsl(dec_value(&row.attn_theory) - want) <= 6e-9L * want);
            }
        }
    }
}

/* A power law var = C m^-a gives slope -a; and the ratio of theory-shaped means is 1. */
static void test_slopes_and_ratio(void **state)
{
    (void)state;
    nope_config cfg = base_config(2, 64, 4);
    nope_stats_reset(&cfg);
    long double sx = 0, sy = 0, x[64], y[64];
    for (uint32_t p = 0; p < 64; p++) {
        long double t = theory_ref(&cfg, p) * stat_unit();
        uint64_t v = (uint64_t)llroundl(t);
        uint64_t h = (uint64_t)llroundl(ldexpl(powl(p + 1.0L, -0.27L), 40));
        for (uint32_t k = 0; k < cfg.trials; k++) {
            nope_stats_add(NOPE_STAT_ATTN, 0, p, v);
            nope_stats_add(NOPE_STAT_HID, 0, p, h);
            nope_stats_add(NOPE_STAT_ATTN, 1, p, h);
            nope_stats_add(NOPE_STAT_HID, 1, p, 1000);
        }
        x[p] = logl(p + 1.0L);
        y[p] = logl((long double)h);
        sx += x[p];
        sy += y[p];
    }
    long double sxy = 0, sxx = 0;
    for (uint32_t p = 0; p < 64; p++) {
        sxy += (x[p] - sx / 64) * (y[p] - sy / 64);
        sxx += (x[p] - sx / 64) * (x[p] - sx / 64);
    }
    nope_dec attn = nope_summary_slope(&cfg, 0, NOPE_STAT_ATTN), hid = nope_summary_slope(&cfg, 0, NOPE_STAT_HID);
    assert_true(fabsl(dec_value(&attn) + 1.0L) < 1e-6L); /* theory is exactly 1/m */
    assert_true(fabsl(dec_value(&hid) - sxy / sxx) < 1e-7L);
    assert_true(fabsl(dec_value(&hid) + 0.27L) < 1e-6L);
    attn = nope_summary_slope(&cfg, 1, NOPE_STAT_ATTN);
    hid = nope_summary_slope(&cfg, 1, NOPE_STAT_HID);
    assert_true(fabsl(dec_value(&attn) - sxy / sxx) < 1e-7L);
    assert_true(hid.digits == 0); /* constant: slope 0 */
    nope_dec ratio = nope_summary_ratio(&cfg);
    assert_true(fabsl(dec_value(&ratio) - 1.0L) < 1e-8L);
    (void)STAT_ONE;
}

static void test_zero_mean_gives_nan_slope_and_notes(void **state)
{
    (void)state;
    nope_config cfg = base_config(1, 4, 2);
    nope_stats_reset(&cfg);
    nope_dec attn = nope_summary_slope(&cfg, 0, NOPE_STAT_ATTN), hid = nope_summary_slope(&cfg, 0, NOPE_STAT_HID);
    assert_true(attn.special == NOPE_DEC_NAN && hid.special == NOPE_DEC_NAN);
    char buf[NOPE_SUMMARY_NOTE_MAX];
    assert_true(nope_summary_note(&cfg, 0, buf));
    assert_true(strncmp(buf, "saturations=", 12) == 0);
    assert_true(nope_summary_note(&cfg, 1, buf));
    assert_true(strncmp(buf, "underflows=", 11) == 0);
    assert_true(nope_summary_note(&cfg, 2, buf));
    assert_true(strstr(buf, "rounding=nearest-ties-up") != NULL);
    assert_true(strlen(buf) < NOPE_SUMMARY_NOTE_MAX);
    assert_false(nope_summary_note(&cfg, 3, buf));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accumulators_hold_max_value_max_trials),
        cmocka_unit_test(test_sums_exact_and_split_invariant),
        cmocka_unit_test(test_mean_and_se_against_long_double),
        cmocka_unit_test(test_theory_and_c_are_exact),
        cmocka_unit_test(test_slopes_and_ratio),
        cmocka_unit_test(test_zero_mean_gives_nan_slope_and_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
