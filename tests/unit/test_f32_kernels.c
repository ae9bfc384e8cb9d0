/* The float32 kernels against double-precision references, with the bounds stated here, and
 * the property the whole design rests on: the schedule (weight buffer size, block of rows)
 * never changes a bit. */
#include <math.h>
#include <string.h>

#include "test_util.h"

#include "nope/kernels.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

/* Uniform in [-1, 1). */
static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 4503599627370496.0 - 1.0;
}

static nope_config config(uint32_t d, uint32_t heads)
{
    nope_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.d = d;
    cfg.heads = heads;
    cfg.eps = (nope_dec){1, -5, false, NOPE_DEC_FINITE};
    return cfg;
}

/* Softmax: each p within ((n + 4) 2^-24 + |s - max s| 2^-23) relative of the double reference:
 * the sum's rounding bound, exp's, and the rounding of s - max s in float amplified by exp.
 * p >= 0, and the p sum to 1 within (n + 4) 2^-24. */
static void test_softmax(void **state)
{
    (void)state;
    static float p[1024];
    static double ref[1024];
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)((uniform() * 0.5 + 0.5) * 1023);
        double spread = round % 4 == 0 ? 0.01 : round % 4 == 1 ? 1.0 : round % 4 == 2 ? 10.0 : 80.0;
        static float s[1024];
        for (size_t k = 0; k < n; k++)
            s[k] = p[k] = (float)(uniform() * spread);
        double top = p[0], total = 0;
        for (size_t k = 1; k < n; k++)
            top = p[k] > top ? p[k] : top;
        for (size_t k = 0; k < n; k++)
            total += ref[k] = exp((double)p[k] - top);
        nope_kern_softmax(p, n);
        double sum = 0;
        for (size_t k = 0; k < n; k++) {
            double want = ref[k] / total;
            assert_true(p[k] >= 0.0f);
            if (fabs(p[k] - want) > want * ((double)(n + 4) * 0x1p-24 + fabs(s[k] - top) * 0x1p-23) + 1e-30)
                fail_msg("softmax n=%zu spread %g: p[%zu]=%.9g want %.9g", n, spread, k, p[k], want);
            sum += p[k];
        }
        assert_true(fabs(sum - 1.0) <= (double)(n + 4) * 0x1p-24);
    }
}

/* LayerNorm of many rows at once (rows interleaved on a host, 8 in scalar code and 32 in vector
 * lanes) is, bit for bit, LayerNorm row by row, for every count of rows around either group and
 * its tails, lengths around the vectors' and transposes' 8, and rows of very different scales
 * side by side. */
static void test_layernorm_rows_is_row_by_row(void **state)
{
    (void)state;
    nope_config cfg = config(64, 4);
    const nope_kern_params *kp = nope_kern_params_init(&cfg);
    enum { MAX_ROWS = 73, MAX_N = 67 };
    static float x[MAX_ROWS * MAX_N], rows_out[MAX_ROWS * MAX_N], one_out[MAX_N];
    const size_t lengths[] = {1, 2, 7, 8, 9, 12, 15, 16, 17, 23, 34, 45, 56, 63, 64, 65, 67};
    for (size_t rows = 0; rows <= MAX_ROWS; rows++)
        for (size_t a = 0; a < sizeof lengths / sizeof lengths[0]; a++) {
            const size_t n = lengths[a];
            for (size_t k = 0; k < rows * n; k++)
                x[k] = (float)((uniform() - 0.5) * (k % 3 == 0 ? 1e-3 : k % 3 == 1 ? 7.0 : 1e4));
            nope_kern_layernorm_rows(rows_out, x, rows, n, kp);
            for (size_t r = 0; r < rows; r++) {
                nope_kern_layernorm(one_out, x + r * n, n, kp);
                if (memcmp(one_out, rows_out + r * n, n * sizeof(float)) != 0)
                    fail_msg("layernorm_rows rows=%zu n=%zu: row %zu differs from nope_kern_layernorm", rows, n, r);
            }
        }
}

/* LayerNorm: |h - h_ref| <= 2e-6 (1 + |h_ref|) at d up to 1024 when var >> eps. */
static void test_layernorm(void **state)
{
    (void)state;
    nope_config cfg = config(64, 4);
    const nope_kern_params *kp = nope_kern_params_init(&cfg);
    static float x[1024], h[1024];
    for (int round = 0; round < 300; round++) {
        size_t n = round % 3 == 0 ? 768 : round % 3 == 1 ? 64 : 1024;
        double scale = round % 2 ? 0.02 : 3.0, offset = uniform() * scale;
        for (size_t k = 0; k < n; k++)
            x[k] = (float)(offset + scale * uniform());
        nope_kern_layernorm(h, x, n, kp);
        double mean = 0, var = 0;
        for (size_t k = 0; k < n; k++)
            mean += x[k];
        mean /= (double)n;
        for (size_t k = 0; k < n; k++)
            var += ((double)x[k] - mean) * ((double)x[k] - mean);
        var /= (double)n;
        double out_mean = 0, out_sq = 0;
        for (size_t k = 0; k < n; k++) {
            double want = ((double)x[k] - mean) / sqrt(var + (double)kp->eps);
            if (fabs(h[k] - want) > 2e-6 * (1 + fabs(want)))
                fail_msg("layernorm n=%zu: h[%zu]=%.9g want %.9g", n, k, h[k], want);
            out_mean += h[k];
            out_sq += (double)h[k] * h[k];
        }
        /* Invariants: mean 0, variance var/(var+eps). */
        assert_true(fabs(out_mean / (double)n) < 1e-5);
        assert_true(fabs(out_sq / (double)n - var / (var + (double)kp->eps)) < 1e-4);
    }
}

/* GELU (tanh form): |g - g_ref| <= 2^-22 (1 + |x|). */
static void test_gelu(void **state)
{
    (void)state;
    double worst = 0;
    for (int k = 0; k < 2000000; k++) {
        float x = (float)(uniform() * (k % 2 ? 10.0 : 0.1));
        double xd = x;
        double want = 0.5 * xd * (1.0 + tanh(0.7978845608028654 * (xd + 0.044715 * xd * xd * xd)));
        double err = fabs(nope_kern_gelu_f32(x) - want) / (1 + fabs(xd));
        worst = err > worst ? err : worst;
        if (err > 0x1p-22)
            fail_msg("gelu(%.9g) = %.9g, want %.9g", x, nope_kern_gelu_f32(x), want);
    }
    print_message("gelu: worst %.3g of (1 + |x|)\n", worst);
    float relu[4] = {-1.0f, 0.0f, 2.5f, -0.0f};
    nope_kern_activate(relu, 4, NOPE_ACT_RELU);
    assert_true(relu[0] == 0.0f && relu[1] == 0.0f && relu[2] == 2.5f && relu[3] == 0.0f);
}

/* Matmul with drawn weights: within the classic bound n u sum|a w| of the double product,
 * and bit-identical whatever the weight buffer or the block of rows. */
static void test_matmul_bound_and_schedule_independence(void **state)
{
    (void)state;
    enum { ROWS = 7, N_IN = 96, N_OUT = 80 };
    static float in[ROWS * N_IN], out_full[ROWS * N_OUT], out_row[ROWS * N_OUT], out_three[ROWS * N_OUT],
        out_single[N_OUT], wbuf[N_IN * N_OUT];
    nope_weights w = {nope_rng_stream_make(5, 1, NOPE_RNG_TAG_WEIGHT, 3), 335544, 0, 0, NULL};
    for (size_t k = 0; k < ROWS * N_IN; k++)
        in[k] = (float)uniform();
    nope_kern_matmul_drawn(out_full, in, ROWS, N_IN, N_OUT, &w, wbuf, N_IN * N_OUT);
    nope_kern_matmul_drawn(out_row, in, ROWS, N_IN, N_OUT, &w, wbuf, N_OUT);
    nope_kern_matmul_drawn(out_three, in, ROWS, N_IN, N_OUT, &w, wbuf, 3 * N_OUT + 5);
    assert_memory_equal(out_full, out_row, sizeof out_full);
    static float out_strip[ROWS * N_OUT];
    const size_t strips[] = {1, 7, N_OUT - 1}; /* buffers smaller than a row */
    for (size_t k = 0; k < 3; k++) {
        nope_kern_matmul_drawn(out_strip, in, ROWS, N_IN, N_OUT, &w, wbuf, strips[k]);
        assert_memory_equal(out_full, out_strip, sizeof out_full);
    }
    assert_memory_equal(out_full, out_three, sizeof out_full);
    /* A strip of columns (one head's: row_stride and col0) is those columns of the whole. */
    nope_weights strip = w;
    strip.row_stride = N_OUT;
    strip.col0 = 24;
    static float out_cols[ROWS * 16];
    nope_kern_matmul_drawn(out_cols, in, ROWS, N_IN, 16, &strip, wbuf, 7);
    for (size_t r = 0; r < ROWS; r++)
        assert_memory_equal(out_cols + r * 16, out_full + r * N_OUT + 24, 16 * sizeof(float));
    for (size_t r = 0; r < ROWS; r++) {
        nope_kern_matmul_drawn(out_single, in + r * N_IN, 1, N_IN, N_OUT, &w, wbuf, N_OUT);
        assert_memory_equal(out_single, out_full + r * N_OUT, sizeof out_single);
        for (size_t j = 0; j < N_OUT; j++) {
            double want = 0, magnitude = 0;
            for (size_t i = 0; i < N_IN; i++) {
                double term = (double)in[r * N_IN + i] * nope_kern_weight(&w, N_OUT, i, j);
                want += term;
                magnitude += fabs(term);
            }
            if (fabs(out_full[r * N_OUT + j] - want) > N_IN * 0x1p-24 * magnitude)
                fail_msg("matmul [%zu][%zu] = %.9g, want %.9g", r, j, out_full[r * N_OUT + j], want);
        }
    }
}

/* One head's causal attention against a double reference: |o - o_ref| <= 1e-6 max|v|. */
static void test_attend(void **state)
{
    (void)state;
    enum { KEYS = 50, DH = 16, STRIDE = 64 };
    nope_config cfg = config(64, 4);
    const nope_kern_params *kp = nope_kern_params_init(&cfg);
    static float q[DH], keys[KEYS * STRIDE], values[KEYS * STRIDE], o[DH], scores[KEYS];
    for (int round = 0; round < 100; round++) {
        double scale = round % 2 ? 0.3 : 3.0;
        for (size_t k = 0; k < DH; k++)
            q[k] = (float)(uniform() * scale);
        for (size_t k = 0; k < KEYS * STRIDE; k++) {
            keys[k] = (float)(uniform() * scale);
            values[k] = (float)uniform();
        }
        size_t n_keys = 1 + (size_t)round % KEYS;
        nope_kern_attend(o, q, keys, values, n_keys, DH, STRIDE, scores, kp);
        double logits[KEYS], top = -1e300, total = 0;
        for (size_t n = 0; n < n_keys; n++) {
            double dot = 0;
            for (size_t i = 0; i < DH; i++)
                dot += (double)q[i] * keys[n * STRIDE + i];
            logits[n] = dot / sqrt((double)DH);
            top = logits[n] > top ? logits[n] : top;
        }
        for (size_t n = 0; n < n_keys; n++)
            total += logits[n] = exp(logits[n] - top);
        for (size_t i = 0; i < DH; i++) {
            double want = 0;
            for (size_t n = 0; n < n_keys; n++)
                want += logits[n] / total * values[n * STRIDE + i];
            if (fabs(o[i] - want) > 1e-6)
                fail_msg("attend keys=%zu o[%zu]=%.9g want %.9g", n_keys, i, o[i], want);
        }
    }
}

/* Unbiased variance: the double computation on float inputs, to 1e-12 relative. */
static void test_var_unbiased(void **state)
{
    (void)state;
    static float y[768];
    for (size_t k = 0; k < 768; k++)
        y[k] = (float)(0.01 + 0.003 * uniform());
    double mean = 0, sq = 0;
    for (size_t k = 0; k < 768; k++)
        mean += y[k];
    mean /= 768;
    for (size_t k = 0; k < 768; k++)
        sq += ((double)y[k] - mean) * ((double)y[k] - mean);
    assert_true(fabs(nope_kern_var_unbiased(y, 768) - sq / 767) <= 1e-12 * sq / 767);
    float two[2] = {1.0f, 3.0f};
    assert_true(nope_kern_var_unbiased(two, 2) == 2.0);
}

/* The variance as the kernel first computed it: both sums in one chain each. */
static double var_one_chain(const float *y, size_t n)
{
    double sum = 0.0;
    for (size_t k = 0; k < n; k++)
        sum += (double)y[k];
    double mean = sum / (double)n, sq = 0.0;
    for (size_t k = 0; k < n; k++) {
        double dev = (double)y[k] - mean;
        sq += dev * dev;
    }
    return sq / (double)(n - 1);
}

/* The kernel's variance is bit for bit the one-chain computation (a host sums in several chains
 * where that is exact): every length around the chains' multiple, values whose binary exponents
 * spread up to and past what 53 bits hold exactly, zeros, subnormals, infinities and NaN. */
static void test_var_unbiased_is_one_chain(void **state)
{
    (void)state;
    enum { MAX_N = 771 };
    static float y[MAX_N];
    const size_t lengths[] = {2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 255, 256, 257, 767, 768, 771};
    int64_t bad = 0, cases = 0;
    for (size_t a = 0; a < sizeof lengths / sizeof lengths[0]; a++)
        for (int spread = 0; spread <= 40; spread++)
            for (int kind = 0; kind < 6; kind++) {
                size_t n = lengths[a];
                for (size_t k = 0; k < n; k++) {
                    /* magnitudes 2^0 .. 2^-spread, either sign */
                    double scale = ldexp(1.0, -(int)((k * 7919u) % (size_t)(spread + 1)));
                    y[k] = (float)(uniform() * scale);
                }
                if (kind == 1)
                    y[n / 2] = 0.0f, y[n - 1] = -0.0f;
                if (kind == 2)
                    y[0] = 0x1p-140f, y[n - 1] = -0x1p-149f; /* subnormals */
                if (kind == 3)
                    y[n / 3] = INFINITY;
                if (kind == 4)
                    y[n - 1] = NAN;
                if (kind == 5)
                    for (size_t k = 0; k < n; k++)
                        y[k] = k % 2 ? 0.0f : -0.0f;
                double got = nope_kern_var_unbiased(y, n), want = var_one_chain(y, n);
                bad += memcmp(&got, &want, sizeof got) != 0 && !(got != got && want != want);
                cases++;
            }
    print_message("variance against one chain: %lld cases, %lld differ\n", (long long)cases, (long long)bad);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_softmax),
        cmocka_unit_test(test_layernorm),
        cmocka_unit_test(test_layernorm_rows_is_row_by_row),
        cmocka_unit_test(test_gelu),
        cmocka_unit_test(test_matmul_bound_and_schedule_independence),
        cmocka_unit_test(test_attend),
        cmocka_unit_test(test_var_unbiased),
        cmocka_unit_test(test_var_unbiased_is_one_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
