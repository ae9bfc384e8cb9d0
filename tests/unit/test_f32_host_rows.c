/* The x86-64 host's row kernels (core/src/rows_f32_x86.c: LayerNorm with a row in each vector
 * lane) and the variance's exact sum in several chains (kernels_f32.c), against the scalar code,
 * bit for bit, in every build the CPU can run (AVX-512, AVX2, none), over row counts around the
 * vector group of 32 and the scalar group of 8, lengths around the 8 x 8 transposes, and values
 * of very different scales side by side.
 *
 * ReLU and the residual add (AVX2 clones) likewise.
 *
 * The unit tests' core is built without NOPE_HOST_CLONES, so these paths are compiled here, by
 * including the kernel sources with it defined (their symbols then come from this file). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NOPE_HOST_CLONES 1
#include "../../core/src/kernels_f32.c"
#include "../../core/src/kernels_f32_x86.c"
#include "../../core/src/rows_f32_x86.c"
#endif

#include <math.h>
#include <string.h>

#include "test_util.h"

#include "nope/kernels.h"

#if defined(NOPE_F32_X86) && NOPE_F32_X86

static uint64_t rng_state = 0x452821E638D01377u;

/* Uniform in [-1, 1) times a scale that varies from value to value. */
static float value(size_t k)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    double u = (double)(rng_state >> 11) / 4503599627370496.0 - 1.0;
    return (float)(u * (k % 3 == 0 ? 1e-3 : k % 3 == 1 ? 7.0 : 1e4));
}

/* Each group builder against nope_kern_layernorm row by row. */
static void test_layernorm_groups(void **state)
{
    (void)state;
    nope_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.d = 64;
    cfg.heads = 4;
    cfg.eps = (nope_dec){1, -5, false, NOPE_DEC_FINITE};
    const nope_kern_params *kp = nope_kern_params_init(&cfg);
    enum { MAX_ROWS = 2 * G + 9, MAX_N = 131 };
    static float x[MAX_ROWS * MAX_N], got[MAX_ROWS * MAX_N], want[MAX_N];
    void (*const groups[])(float *, const float *, size_t, float, float *) = {ln_group_avx512, ln_group_avx2};
    const int runnable[] = {__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"),
                            __builtin_cpu_supports("avx2")};
    static float cols[G * MAX_N];
    const size_t lengths[] = {1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 128, 131};
    int tried = 0;
    for (int v = 0; v < 2; v++) {
        if (!runnable[v])
            continue;
        tried++;
        for (size_t a = 0; a < sizeof lengths / sizeof lengths[0]; a++) {
            size_t n = lengths[a];
            for (size_t k = 0; k < G * n; k++)
                x[k] = value(k);
            groups[v](got, x, n, kp->eps, cols);
            for (size_t r = 0; r < G; r++) {
                nope_kern_layernorm(want, x + r * n, n, kp);
                if (memcmp(want, got + r * n, n * sizeof(float)) != 0)
                    fail_msg("LayerNorm group %d n=%zu: row %zu differs from nope_kern_layernorm", v, n, r);
            }
        }
    }
    /* The whole entry, every row count around the groups: the rows it leaves go the scalar way. */
    for (size_t rows = 0; rows <= MAX_ROWS; rows += 1 + rows / 8)
        for (size_t a = 0; a < sizeof lengths / sizeof lengths[0]; a += 3) {
            size_t n = lengths[a];
            for (size_t k = 0; k < rows * n; k++)
                x[k] = value(k);
            nope_kern_layernorm_rows(got, x, rows, n, kp);
            for (size_t r = 0; r < rows; r++) {
                nope_kern_layernorm(want, x + r * n, n, kp);
                if (memcmp(want, got + r * n, n * sizeof(float)) != 0)
                    fail_msg("nope_kern_layernorm_rows rows=%zu n=%zu: row %zu differs", rows, n, r);
            }
        }
    print_message("LayerNorm groups run and checked: %d of 2\n", tried);
}

/* The variance's first sum, in the build the CPU picks, against one chain. */
static void test_exact_sum(void **state)
{
    (void)state;
    enum { MAX_N = 771 };
    static float y[MAX_N];
    const size_t lengths[] = {1, 2, 7, 8, 9, 15, 16, 17, 64, 65, 768, 771};
    int64_t bad = 0, taken = 0, cases = 0;
    for (size_t a = 0; a < sizeof lengths / sizeof lengths[0]; a++)
        for (int spread = 0; spread <= 36; spread++) {
            size_t n = lengths[a];
            for (size_t k = 0; k < n; k++)
                y[k] = (float)ldexp(value(0) * 1e-3, -(int)((k * 7919u) % (size_t)(spread + 1)));
            double one = 0.0, sum = 0.0;
            for (size_t k = 0; k < n; k++)
                one += (double)y[k];
            if (exact_double_sum(y, n, &sum)) {
                taken++;
                bad += memcmp(&one, &sum, sizeof sum) != 0;
            }
            cases++;
        }
    print_message("exact sums: %lld cases, %lld in chains, %lld differ\n", (long long)cases, (long long)taken,
                  (long long)bad);
    assert_true(taken > 0 && taken < cases);
    assert_int_equal(bad, 0);
}

/* ReLU and the residual add, in the build the CPU picks, against plain loops: every length
 * around the vectors, with zeros of both signs, infinities and NaN among the values. */
static void test_relu_and_add(void **state)
{
    (void)state;
    enum { MAX_N = 70 };
    static float x[MAX_N], y[MAX_N], want[MAX_N];
    for (size_t n = 0; n <= MAX_N; n++) {
        for (size_t k = 0; k < n; k++) {
            x[k] = k % 7 == 0 ? -0.0f : k % 11 == 0 ? NAN : k % 13 == 0 ? -INFINITY : value(k);
            y[k] = value(k + 1);
        }
        for (size_t k = 0; k < n; k++)
            want[k] = x[k] > 0.0f ? x[k] : 0.0f;
        nope_kern_activate(x, n, NOPE_ACT_RELU);
        assert_memory_equal(x, want, n * sizeof(float));
        for (size_t k = 0; k < n; k++)
            want[k] = y[k] + x[k];
        nope_kern_add(y, x, n);
        assert_memory_equal(y, want, n * sizeof(float));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_layernorm_groups), cmocka_unit_test(test_exact_sum),
                                       cmocka_unit_test(test_relu_and_add)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

static void test_not_this_host(void **state)
{
    (void)state;
    skip(); /* the row kernels are x86-64 gcc builds' */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_not_this_host)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
