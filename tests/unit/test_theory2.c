/* Layer 1's second theory (nope/theory2.h): its limits written down (one key takes all the
 * weight; vanishing logits give the first-order 1/m, with the repeated-token factor), its
 * integrals against a Monte Carlo simulation of the very model it integrates (Gaussian
 * weights, keys uniform on LayerNorm's sphere), and the scale past which it is not computed. */
#include <stdio.h>

#include "test_util.h"

#include "nope/cli.h"
#include "nope/theory2.h"

static const double Q40 = 1099511627776.0;

static nope_config config(uint32_t d, uint32_t heads, const char *sigma)
{
    nope_config cfg;
    char err[256];
    char d_text[16], heads_text[16];
    snprintf(d_text, sizeof d_text, "%u", d);
    snprintf(heads_text, sizeof heads_text, "%u", heads);
    const char *argv[] = {"--d", d_text, "--heads", heads_text, "--sigma", sigma};
    assert_int_equal(nope_cli_parse(6, argv, &cfg, err), NOPE_OK);
    return cfg;
}

/* LayerNorm's c for the default input scale 0.02 and eps 1e-5. */
static double layernorm_c(uint32_t d)
{
    double v = 0.02 * 0.02 * (d - 1) / d;
    return v / (v + 1e-5);
}

static int64_t c_q40(uint32_t d)
{
    return (int64_t)(layernorm_c(d) * Q40 + 0.5);
}

static double g_at(const nope_config *cfg, uint32_t pos)
{
    return (double)nope_theory2_g_q40(cfg, c_q40(cfg->d), pos) / Q40;
}

static void test_one_key(void **state)
{
    (void)state;
    const char *sigmas[] = {"0.0001", "0.02", "0.1", "0.3"};
    for (int k = 0; k < 4; k++) {
        nope_config cfg = config(64, 4, sigmas[k]);
        assert_int_equal(nope_theory2_g_q40(&cfg, c_q40(64), 0), (int64_t)1 << NOPE_THEORY2_FRAC);
    }
}

/* s = sigma^2 d c = 6e-5: G = (1/m)(1 + O(s^2 m)), so m G is 1 to 1e-6; with tokens it is
 * 1 + (m-1)/V, the first-order factor of repeats. */
static void test_small_logits_give_first_order(void **state)
{
    (void)state;
    nope_config cfg = config(64, 4, "0.001");
    double s = 1e-6 * 64 * layernorm_c(64); /* sigma is rounded to 2^-24: relative 3e-5 */
    assert_true(fabs((double)nope_theory2_scale_q40(&cfg, c_q40(64)) / Q40 - s) < 1e-4 * s);
    for (uint32_t p = 0; p < 200; p += 7)
        assert_true(fabs((p + 1) * g_at(&cfg, p) - 1.0) < 1e-6);
    cfg.input = NOPE_INPUT_TOKENS;
    cfg.vocab = 10;
    for (uint32_t p = 0; p < 200; p += 7)
        assert_true(fabs((p + 1) * g_at(&cfg, p) - (1.0 + p / 10.0)) < 1e-6 * (1.0 + p / 10.0));
}

/* Larger logits put more weight on fewer keys: m G grows with m and with sigma. */
static void test_grows_with_logits(void **state)
{
    (void)state;
    nope_config lo = config(64, 4, "0.05"), hi = config(64, 4, "0.1");
    double prev = 1.0;
    for (uint32_t p = 1; p < 64; p++) {
        double r_lo = (p + 1) * g_at(&lo, p), r_hi = (p + 1) * g_at(&hi, p);
        assert_true(r_lo > 1.0 && r_hi > r_lo && r_hi > prev);
        prev = r_hi;
    }
}

/* ---- Monte Carlo of the model: per head, the query's length gives U = chi^2_(d/H)/(d/H), the
 * key-side projection V = chi^2_(d-1)/(d-1), logits s0 sqrt(U V) z_n with z_n = sqrt(d-1) times a
 * coordinate of a uniform point on the unit sphere in d-1 dimensions; the sample is
 * m (sum a^2 + sum_{n != n'} a_n a_n' z_n z_n' / (d-1)), whose mean is m G(m). ---- */

static double normal(uint64_t *rng)
{
    double u1 = ((double)(nope_test_splitmix(rng) >> 11) + 0.5) * 0x1p-53;
    double u2 = (double)(nope_test_splitmix(rng) >> 11) * 0x1p-53;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static double chi2_mean(uint64_t *rng, uint32_t k)
{
    double s = 0;
    for (uint32_t i = 0; i < k; i++) {
        double x = normal(rng);
        s += x * x;
    }
    return s / k;
}

static double sphere_z(uint64_t *rng, uint32_t d)
{
    double first = normal(rng), sq = first * first;
    for (uint32_t i = 1; i < d - 1; i++) {
        double x = normal(rng);
        sq += x * x;
    }
    return sqrt((double)(d - 1)) * first / sqrt(sq);
}

static void monte_carlo_matches(uint32_t d, uint32_t heads, const char *sigma, const uint32_t *positions, int count)
{
    nope_config cfg = config(d, heads, sigma);
    assert_true(nope_theory2_defined(&cfg, c_q40(d)));
    double s0 = (double)nope_theory2_scale_q40(&cfg, c_q40(d)) / Q40;
    int samples = nope_test_quick() ? 1500 : 12000;
    uint64_t rng = 12345;
    for (int k = 0; k < count; k++) {
        uint32_t m = positions[k];
        double z[64], a[64], sum = 0, sum_sq = 0;
        for (int i = 0; i < samples; i++) {
            double s = s0 * sqrt(chi2_mean(&rng, d / heads) * chi2_mean(&rng, d - 1)), top = -1e300, total = 0;
            for (uint32_t n = 0; n < m; n++) {
                z[n] = sphere_z(&rng, d);
                top = s * z[n] > top ? s * z[n] : top;
            }
            for (uint32_t n = 0; n < m; n++)
                total += a[n] = exp(s * z[n] - top);
            double a2 = 0, az = 0, a2z2 = 0;
            for (uint32_t n = 0; n < m; n++) {
                a[n] /= total;
                a2 += a[n] * a[n];
                az += a[n] * z[n];
                a2z2 += a[n] * a[n] * z[n] * z[n];
            }
            double value = m * (a2 + (az * az - a2z2) / (d - 1));
            sum += value;
            sum_sq += value * value;
        }
        double mean = sum / samples, se = sqrt((sum_sq / samples - mean * mean) / (samples - 1));
        double theory = m * g_at(&cfg, m - 1), zscore = (mean - theory) / se;
        print_message("d=%u heads=%u sigma=%s m=%u: Monte Carlo %.5f +- %.5f, theory2 %.5f (z = %.2f)\n", d, heads,
                      sigma, m, mean, se, theory, zscore);
        assert_true(fabs(zscore) < 4.0);
    }
}

static void test_monte_carlo_d64(void **state)
{
    (void)state;
    const uint32_t positions[] = {2, 5, 17, 40};
    monte_carlo_matches(64, 4, "0.1", positions, 4);
}

static void test_monte_carlo_large_logits(void **state)
{
    (void)state;
    const uint32_t positions[] = {2, 9, 33};
    monte_carlo_matches(32, 2, "0.2", positions, 3); /* s0 = 1.25 */
}

/* G <= 1 (the weighted mean of keys of one length is no longer than they are), even where the
 * token approximation would overshoot: one token repeated at every position, large logits. */
static void test_never_above_one(void **state)
{
    (void)state;
    nope_config cfg = config(64, 4, "0.3");
    cfg.input = NOPE_INPUT_TOKENS;
    cfg.vocab = 1;
    for (uint32_t p = 0; p < 64; p++)
        assert_true(nope_theory2_g_q40(&cfg, c_q40(64), p) <= (int64_t)1 << NOPE_THEORY2_FRAC);
    assert_int_equal(nope_theory2_g_q40(&cfg, c_q40(64), 63), (int64_t)1 << NOPE_THEORY2_FRAC);
}

/* Every corner of the accepted configurations: widths 2 to 1024, one head or many, sigma from
 * 0.0001 to 2, Gaussian inputs or tokens from 1 or 2^24 ids, c tiny or 1. Where theory2 is
 * defined, G is in (0, 1] at the first, a middle and the last position (and the sanitizer build
 * finds no overflow on the way). */
static void test_every_corner_is_finite(void **state)
{
    (void)state;
    const uint32_t widths[] = {2, 3, 5, 64, 1024};
    const char *sigmas[] = {"0.0001", "0.1", "2"};
    const uint32_t vocabs[] = {0, 1, 16777216}; /* 0: Gaussian inputs */
    const int64_t cs[] = {1000, (int64_t)1 << NOPE_THEORY2_FRAC};
    const uint32_t positions[] = {0, 1, 7, 1023};
    int defined = 0;
    for (int i = 0; i < 5; i++)
        for (int many = 0; many < 2; many++)
            for (int j = 0; j < 3; j++)
                for (int v = 0; v < 3; v++)
                    for (int k = 0; k < 2; k++) {
                        uint32_t d = widths[i], heads = many ? (d < 64 ? d : 64) : 1;
                        nope_config cfg = config(d, heads, sigmas[j]);
                        cfg.input = vocabs[v] ? NOPE_INPUT_TOKENS : NOPE_INPUT_GAUSSIAN;
                        cfg.vocab = vocabs[v] ? vocabs[v] : 256;
                        if (!nope_theory2_defined(&cfg, cs[k]))
                            continue;
                        defined++;
                        for (int p = 0; p < 4; p++) {
                            int64_t g = nope_theory2_g_q40(&cfg, cs[k], positions[p]);
                            if (!(g > 0 && g <= (int64_t)1 << NOPE_THEORY2_FRAC))
                                fail_msg("d=%u heads=%u sigma=%s vocab=%u c=%lld pos=%u: G=%lld", d, heads, sigmas[j],
                                         vocabs[v], (long long)cs[k], positions[p], (long long)g);
                        }
                    }
    assert_true(defined > 50);
}

/* Past NOPE_THEORY2_S_MAX after the two-point rule, theory2 is not computed. */
static void test_undefined_past_the_largest_scale(void **state)
{
    (void)state;
    nope_config ok = config(64, 4, "0.3"), past = config(64, 4, "0.5");
    assert_true(nope_theory2_defined(&ok, c_q40(64)));
    assert_false(nope_theory2_defined(&past, c_q40(64)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_key),
        cmocka_unit_test(test_small_logits_give_first_order),
        cmocka_unit_test(test_grows_with_logits),
        cmocka_unit_test(test_monte_carlo_d64),
        cmocka_unit_test(test_monte_carlo_large_logits),
        cmocka_unit_test(test_never_above_one),
        cmocka_unit_test(test_every_corner_is_finite),
        cmocka_unit_test(test_undefined_past_the_largest_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
