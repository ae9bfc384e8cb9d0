/* The fixed-point kernels against references computed from the same integer inputs: exact
 * (__int128) where the kernel promises an exactly rounded result (matmul, variance, add),
 * long double elsewhere with the bound in LSBs of Q.F stated next to each assertion. Also the
 * saturation rule at and past the edges of the range, and bit-identity across weight-buffer
 * sizes (the report must not depend on them). */
#include <math.h>
#include <stdio.h>

#include "test_util.h"

#include "nope/kernels.h"
#include "nope/math_fixed.h"

typedef __int128 i128;

#define ONE_LD ((long double)(INT64_C(1) << NOPE_Q_FRAC))

/* A gaussian-ish activation of standard deviation sd (real units), from 4 uniforms. */
static int32_t draw_act(uint64_t *rng, double sd)
{
    double s = 0;
    for (int k = 0; k < 4; k++)
        s += (double)(nope_test_splitmix(rng) >> 11) * 0x1p-53 - 0.5;
    double v = s * sqrt(3.0) * sd * (double)ONE_LD;
    return v >= 2147483647.0 ? INT32_MAX : (v <= -2147483648.0 ? INT32_MIN : (int32_t)llround(v));
}

static i128 floor_div(i128 n, i128 d) /* d > 0 */
{
    i128 q = n / d;
    return (n % d != 0 && n < 0) ? q - 1 : q;
}

static nope_config small_config(void)
{
    nope_config cfg = {0};
    cfg.d = 64;
    cfg.heads = 4;
    cfg.eps = (nope_dec){1, -5, false, NOPE_DEC_FINITE};
    return cfg;
}

/* out = round(in W / 2^20) exactly (ties up), whatever the weight buffer's size. */
static void test_matmul_is_exact_for_every_buffer_size(void **state)
{
    (void)state;
    enum { ROWS = 5, N_IN = 150, N_OUT = 70 };
    static int32_t in[ROWS * N_IN], out[ROWS * N_OUT], out2[ROWS * N_OUT], wbuf[N_IN * N_OUT];
    uint64_t rng = 11;
    for (int k = 0; k < ROWS * N_IN; k++)
        in[k] = draw_act(&rng, 1.0);
    in[3] = INT32_MAX; /* an extreme input: exact sums still hold */
    in[4] = INT32_MIN;
    nope_weights w = {nope_rng_stream_make(5, 0, NOPE_RNG_TAG_WEIGHT, 0), UINT32_C(1) << 24, 0, 0, NULL};
    nope_fx_saturations_reset();
    nope_kern_matmul_drawn(out, in, ROWS, N_IN, N_OUT, &w, wbuf, N_IN * N_OUT);
    for (int r = 0; r < ROWS; r++) {
        for (int j = 0; j < N_OUT; j++) {
            i128 acc = 0;
            for (int i = 0; i < N_IN; i++)
                acc += (i128)in[r * N_IN + i] * nope_rng_gauss_draw(w.stream, (uint64_t)i * N_OUT + j, w.scale_q);
            i128 want = floor_div(acc + (1 << 19), (i128)1 << 20);
            want = want > INT32_MAX ? INT32_MAX : (want < INT32_MIN ? INT32_MIN : want);
            assert_true(out[r * N_OUT + j] == (int32_t)want);
        }
    }
    uint64_t sat = nope_fx_saturations();
    const size_t caps[] = {1, 7, N_OUT - 1, N_OUT, N_OUT + 1, 3 * N_OUT, 64 * N_OUT + 5};
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        nope_kern_matmul_drawn(out2, in, ROWS, N_IN, N_OUT, &w, wbuf, caps[c]);
        assert_memory_equal(out, out2, sizeof out);
    }
    assert_true(nope_fx_saturations() == sat * 8); /* the same saturations each time */
}

static void test_layernorm_against_double(void **state)
{
    (void)state;
    nope_config cfg = small_config();
    uint64_t rng = 12;
    long double worst = 0;
    const double scales[] = {1e-4, 1.3e-4, 0.02, 0.45, 1.0, 30.0, 127.0};
    const nope_dec eps_values[] = {{1, -5, false, 0}, {1, -12, false, 0}, {9, -1, false, 0}};
    static int32_t x[1024], out[1024];
    const size_t sizes[] = {2, 3, 64, 517, 768, 1024};
    int reps = nope_test_quick() ? 14 : 140;
    for (int rep = 0; rep < reps; rep++) {
        cfg.eps = eps_values[rep % 3];
        const nope_kern_params *kp = nope_kern_params_init(&cfg);
        long double eps = cfg.eps.digits;
        for (int e = cfg.eps.exp10; e < 0; e++)
            eps /= 10;
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            size_t n = sizes[si];
            double sd = scales[(size_t)rep % 7];
            int32_t offset = draw_act(&rng, rep % 2 ? 0.0 : 30.0); /* a mean far from 0 too */
            for (size_t i = 0; i < n; i++) {
                int64_t v = (int64_t)offset + draw_act(&rng, sd);
                x[i] = v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
            }
            if (rep == 7) /* the widest deviations possible */
                for (size_t i = 0; i < n; i++)
                    x[i] = (i % 2) ? INT32_MAX : INT32_MIN;
            nope_kern_layernorm(out, x, n, kp);
            long double mean = 0, var = 0;
            for (size_t i = 0; i < n; i++)
                mean += x[i];
            mean /= (long double)n;
            for (size_t i = 0; i < n; i++)
                var += ((long double)x[i] - mean) * ((long double)x[i] - mean);
            var = var / (long double)n / (ONE_LD * ONE_LD) + eps;
            for (size_t i = 0; i < n; i++) {
                long double want = ((long double)x[i] - mean) / ONE_LD / sqrtl(var) * ONE_LD;
                long double err = fabsl((long double)out[i] - want);
                if (err > worst)
                    worst = err;
            }
        }
    }
    /* Deviations and their squares are exact (no rounded mean); what remains is rsqrt's 2^-30
     * relative and keeping 30 bits of the largest deviation (2^-30 relative each), both on
     * |out| <= sqrt(n) = 32 = 2^29 LSB (1/2 LSB each), plus the final rounding: <= 1.5 LSB. */
    print_message("layernorm: max |error| %.3Lg LSB of Q%d (bound 1.5)\n", worst, NOPE_Q_FRAC);
    assert_true(worst <= 1.5L);
}

static void test_softmax_against_double(void **state)
{
    (void)state;
    uint64_t rng = 13;
    static int32_t p[1024];
    long double worst = 0;
    int reps = nope_test_quick() ? 50 : 500;
    for (int rep = 0; rep < reps; rep++) {
        size_t n = 1 + (size_t)(nope_test_splitmix(&rng) % 1024);
        double sd = rep % 3 == 0 ? 0.01 : (rep % 3 == 1 ? 1.0 : 10.0);
        static int32_t s[1024];
        for (size_t k = 0; k < n; k++)
            s[k] = p[k] = draw_act(&rng, sd);
        if (rep == 5)
            for (size_t k = 0; k < n; k++)
                s[k] = p[k] = (k % 2) ? INT32_MAX : INT32_MIN;
        nope_kern_softmax(p, n);
        long double top = s[0], total = 0;
        for (size_t k = 1; k < n; k++)
            top = s[k] > top ? s[k] : top;
        for (size_t k = 0; k < n; k++)
            total += expl(((long double)s[k] - top) / ONE_LD);
        for (size_t k = 0; k < n; k++) {
            long double want = expl(((long double)s[k] - top) / ONE_LD) / total * ONE_LD;
            long double err = fabsl((long double)p[k] - want);
            if (err > worst)
                worst = err;
        }
    }
    /* Q30 probabilities within ~2 LSB of Q30, then rounded to Q.F: <= 1 LSB of Q.F */
    print_message("softmax: max |error| %.3Lg LSB of Q%d (bound 1)\n", worst, NOPE_Q_FRAC);
    assert_true(worst <= 1.0L);
}

static void test_attend_against_double(void **state)
{
    (void)state;
    enum { DH = 64, STRIDE = 64, KEYS = 200 };
    static int32_t q[DH], keys[KEYS * STRIDE], values[KEYS * STRIDE], o[DH], scores[KEYS];
    uint64_t rng = 14;
    nope_config cfg = small_config();
    cfg.heads = 1;
    const nope_kern_params *kp = nope_kern_params_init(&cfg); /* dh = 64: scale 1/8 */
    long double worst = 0, worst_ratio = 0;
    int reps = nope_test_quick() ? 20 : 200;
    for (int rep = 0; rep < reps; rep++) {
        /* q of sd 30 takes the exact wide path (max |q|/8 dh >= 2^32 LSB), sd 1 the fast one;
         * keys are scaled so that no score leaves the range (that would saturate). */
        double sd = rep % 2 ? 1.0 : 30.0;
        for (int i = 0; i < DH; i++)
            q[i] = draw_act(&rng, sd);
        nope_fx_saturations_reset();
        for (int k = 0; k < KEYS * STRIDE; k++) {
            keys[k] = draw_act(&rng, 1.0 / sd);
            values[k] = draw_act(&rng, 1.0);
        }
        size_t n_keys = 1 + (size_t)rep % KEYS;
        nope_kern_attend(o, q, keys, values, n_keys, DH, STRIDE, scores, kp);
        int32_t q_then_o[DH]; /* o may be q itself (the model writes o over q) */
        memcpy(q_then_o, q, sizeof q_then_o);
        nope_kern_attend(q_then_o, q_then_o, keys, values, n_keys, DH, STRIDE, scores, kp);
        assert_memory_equal(q_then_o, o, sizeof o);
        long double sc[KEYS], top = -1e300L, total = 0;
        for (size_t n = 0; n < n_keys; n++) {
            long double dot = 0;
            for (int i = 0; i < DH; i++)
                dot += (long double)q[i] * keys[n * STRIDE + i];
            sc[n] = dot / (ONE_LD * ONE_LD) / 8.0L;
            top = sc[n] > top ? sc[n] : top;
        }
        for (size_t n = 0; n < n_keys; n++)
            total += expl(sc[n] - top);
        long double vmax = 0;
        for (size_t n = 0; n < n_keys; n++)
            for (int i = 0; i < DH; i++)
                vmax = fabsl((long double)values[n * STRIDE + i]) > vmax ? fabsl((long double)values[n * STRIDE + i])
                                                                         : vmax;
        /* Bound, in LSB of Q.F: 1/2 for o's rounding, 1/2 for the scores' rounding to 1/2 LSB
         * (a relative 2^-(F+1) on each p, times |v| <= 4.5: 0.14 LSB, with margin), and each
         * probability's error (<= 1 LSB of Q30) times max|v|, summed over the keys. */
        long double bound = 1.0L + (long double)n_keys * vmax / 1073741824.0L;
        for (int i = 0; i < DH; i++) {
            long double want = 0;
            for (size_t n = 0; n < n_keys; n++)
                want += expl(sc[n] - top) / total * values[n * STRIDE + i];
            long double err = fabsl((long double)o[i] - want);
            if (err > worst)
                worst = err;
            if (err / bound > worst_ratio)
                worst_ratio = err / bound;
        }
    }
    assert_true(nope_fx_saturations() == 0);
    print_message("attend: max |error| %.3Lg LSB of Q%d (bound 1 + n_keys max|v| 2^-30, max "
                  "error/bound %.3Lg)\n",
                  worst, NOPE_Q_FRAC, worst_ratio);
    assert_true(worst_ratio <= 1.0L);
}

/* var = (n sum (y - mean)^2 - (S - n mean)^2) / (n (n - 1)), rounded: exactly, any inputs. */
static void test_variance_is_exact(void **state)
{
    (void)state;
    uint64_t rng = 15;
    static int32_t y[1024];
    int reps = nope_test_quick() ? 100 : 2000;
    for (int rep = 0; rep < reps; rep++) {
        size_t n = 2 + (size_t)(nope_test_splitmix(&rng) % 1023);
        for (size_t k = 0; k < n; k++)
            y[k] = rep % 4 == 3 ? (int32_t)nope_test_splitmix(&rng) : draw_act(&rng, rep % 2 ? 1e-3 : 3.0);
        if (rep == 1)
            for (size_t k = 0; k < n; k++)
                y[k] = (k % 2) ? INT32_MAX : INT32_MIN; /* the largest variance possible */
        i128 s = 0;
        for (size_t k = 0; k < n; k++)
            s += y[k];
        /* n sum y^2 - S^2 = n (n-1) var; sum y^2 < 2^72, times n < 2^82: fits 128 bits */
        i128 sq = 0;
        for (size_t k = 0; k < n; k++)
            sq += (i128)y[k] * y[k];
        i128 num = (i128)n * sq - s * s, den = (i128)n * (i128)(n - 1);
        i128 want = floor_div(2 * num + den, 2 * den);
        assert_true(nope_kern_var_unbiased(y, n) == (uint64_t)want);
    }
}

static void test_add_and_activate_saturate_and_count(void **state)
{
    (void)state;
    int32_t y[4] = {INT32_MAX, INT32_MIN, INT32_MAX - 1, 5};
    const int32_t x[4] = {1, -1, 1, -10};
    nope_fx_saturations_reset();
    nope_kern_add(y, x, 4);
    assert_int_equal(y[0], INT32_MAX);
    assert_int_equal(y[1], INT32_MIN);
    assert_int_equal(y[2], INT32_MAX); /* exactly at the edge: no saturation */
    assert_int_equal(y[3], -5);
    assert_true(nope_fx_saturations() == 2);
    int32_t a[5] = {INT32_MIN, -1, 0, 1, INT32_MAX};
    nope_kern_activate(a, 5, NOPE_ACT_RELU);
    assert_int_equal(a[0], 0);
    assert_int_equal(a[1], 0);
    assert_int_equal(a[3], 1);
    assert_int_equal(a[4], INT32_MAX);
    int32_t g[3] = {INT32_MIN, 0, INT32_MAX};
    nope_kern_activate(g, 3, NOPE_ACT_GELU);
    assert_int_equal(g[0], 0);
    assert_int_equal(g[1], 0);
    assert_int_equal(g[2], INT32_MAX);
    assert_true(nope_fx_saturations() == 2); /* ReLU and GELU never saturate: |act(x)| <= |x| */
    /* A matmul whose sums leave the range saturates every output, and counts each once. */
    static int32_t in[64], out[8], wbuf[64 * 8];
    for (int i = 0; i < 64; i++)
        in[i] = INT32_MAX;
    nope_weights w = {nope_rng_stream_make(1, 0, NOPE_RNG_TAG_WEIGHT, 1), UINT32_C(2) << 24, 0, 0, NULL};
    nope_kern_matmul_drawn(out, in, 1, 64, 8, &w, wbuf, 64 * 8);
    for (int j = 0; j < 8; j++)
        assert_true(out[j] == INT32_MAX || out[j] == INT32_MIN);
    assert_true(nope_fx_saturations() == 2 + 8);
    /* params_init starts a run: the count goes back to 0 */
    nope_config cfg = small_config();
    nope_kern_params_init(&cfg);
    assert_true(nope_fx_saturations() == 0);
}

static void test_weights_and_draws_are_exact(void **state)
{
    (void)state;
    assert_int_equal(nope_num_from_draw(1), 1 << (NOPE_Q_FRAC - 20));
    assert_int_equal(nope_num_from_draw(-(1 << 23)), -(1 << (NOPE_Q_FRAC + 3)));
    nope_weights w = {nope_rng_stream_make(9, 1, NOPE_RNG_TAG_WEIGHT, 2), UINT32_C(335544), 0, 0, NULL};
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(nope_kern_weight(&w, 7, i, 3),
                         nope_rng_gauss_draw(w.stream, i * 7 + 3, w.scale_q) * (1 << (NOPE_Q_FRAC - 20)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matmul_is_exact_for_every_buffer_size),
        cmocka_unit_test(test_layernorm_against_double),
        cmocka_unit_test(test_softmax_against_double),
        cmocka_unit_test(test_attend_against_double),
        cmocka_unit_test(test_variance_is_exact),
        cmocka_unit_test(test_add_and_activate_saturate_and_count),
        cmocka_unit_test(test_weights_and_draws_are_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
