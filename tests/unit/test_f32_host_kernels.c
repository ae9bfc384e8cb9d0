/* The x86-64 host kernels (core/src/kernels_f32_x86.c) against plain loops, bit for bit, over
 * many shapes: every tail of the register blocks (rows past a multiple of MR, columns past a
 * multiple of the vectors, k past a pass of KC, keys past a block of 16, head widths past 4),
 * in every build the CPU can run (SSE2, AVX2, AVX-512), and the whole drawn matmul with its
 * packed panels (buffers of one row, a few rows, misaligned, smaller than a row).
 *
 * The unit tests' core is built without NOPE_HOST_CLONES, so these paths are compiled here, by
 * including the kernel sources with it defined (their symbols then come from this file). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NOPE_HOST_CLONES 1
#include "../../core/src/kernels_f32.c"
#include "../../core/src/kernels_f32_x86.c"
#include "../../core/src/rows_f32_x86.c"
#endif

#include "test_util.h"

#include "nope/kernels.h"

#if defined(NOPE_F32_X86) && NOPE_F32_X86

static uint64_t rng_state = 0x243F6A8885A308D3u;

/* Values of a few kinds: ordinary, zero of either sign, tiny, large; exact sums are rare. */
static float value(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    uint32_t u = (uint32_t)(rng_state >> 32);
    switch (u % 16) {
    case 0: return 0.0f;
    case 1: return -0.0f;
    case 2: return (float)(int32_t)u * 0x1p-60f;
    case 3: return (float)(int32_t)u * 0x1p-10f;
    default: return (float)(int32_t)u * 0x1p-31f;
    }
}

static void fill(float *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        x[k] = value();
}

typedef void panel_fn(float *, size_t, const float *, size_t, size_t, const float *, size_t, size_t);
typedef void scores_fn(float *, const float *, const float *, size_t, size_t, size_t, float);
typedef void weighted_fn(float *, const float *, const float *, size_t, size_t, size_t);
typedef void exp_fn(float *, size_t, float);
typedef void gelu_fn(float *, size_t);

static const struct {
    const char *name;
    int runs; /* can this CPU run it */
    panel_fn *panel;
    scores_fn *scores;
    weighted_fn *weighted;
    exp_fn *exp_minus;
    gelu_fn *gelu;
} builds[] = {
    {"sse2", 1, panel_sse2, scores_sse2, weighted_sse2, exp_minus_sse2, gelu_sse2},
    {"avx2", -1, panel_avx2, scores_avx2, weighted_avx2, exp_minus_avx2, gelu_avx2},
    {"avx512", -2, panel_avx512, scores_avx512, weighted_avx512, exp_minus_avx512, gelu_avx512},
};

static int build_runs(size_t b)
{
    if (builds[b].runs == -1)
        return __builtin_cpu_supports("avx2");
    if (builds[b].runs == -2)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    return 1;
}

/* out += in x panel, the portable order: each output one chain over i ascending. */
static void panel_reference(float *out, size_t ldo, const float *in, size_t ldi, size_t rows, const float *panel,
                            size_t np, size_t k)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < np; j++) {
            float sum = out[r * ldo + j];
            for (size_t i = 0; i < k; i++)
                sum += in[r * ldi + i] * panel[i * np + j];
            out[r * ldo + j] = sum;
        }
}

static void test_panels(void **state)
{
    (void)state;
    enum { MAX_ROWS = 15, MAX_NP = 64, MAX_K = 530, LD_PAD = 3 };
    static float in[MAX_ROWS * (MAX_K + LD_PAD)], panel[MAX_K * MAX_NP];
    static float out[MAX_ROWS * (MAX_NP + LD_PAD)], want[MAX_ROWS * (MAX_NP + LD_PAD)];
    const size_t rows_list[] = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 15};
    const size_t np_list[] = {1, 3, 4, 7, 8, 12, 15, 16, 17, 24, 31, 32, 33, 40, 47, 48, 49, 63, 64};
    const size_t k_list[] = {1, 2, 5, 64, 255, 256, 257, 530};
    size_t checked = 0;
    for (size_t b = 0; b < sizeof builds / sizeof builds[0]; b++) {
        if (!build_runs(b)) {
            print_message("%s: this CPU cannot run it, skipped\n", builds[b].name);
            continue;
        }
        for (size_t a = 0; a < sizeof rows_list / sizeof rows_list[0]; a++)
            for (size_t c = 0; c < sizeof np_list / sizeof np_list[0]; c++)
                for (size_t e = 0; e < sizeof k_list / sizeof k_list[0]; e++) {
                    size_t rows = rows_list[a], np = np_list[c], k = k_list[e];
                    size_t ldo = np + (a + c) % LD_PAD, ldi = k + (c + e) % LD_PAD;
                    fill(in, rows * ldi);
                    fill(panel, k * np);
                    fill(out, rows * ldo);
                    memcpy(want, out, sizeof(float) * rows * ldo);
                    panel_reference(want, ldo, in, ldi, rows, panel, np, k);
                    builds[b].panel(out, ldo, in, ldi, rows, panel, np, k);
                    if (memcmp(out, want, sizeof(float) * rows * ldo) != 0)
                        fail_msg("%s panel rows=%zu np=%zu k=%zu differs from the plain loop", builds[b].name, rows, np,
                                 k);
                    checked++;
                }
    }
    print_message("panels: %zu shapes bit-identical\n", checked);
}

static void test_attention(void **state)
{
    (void)state;
    enum { MAX_KEYS = 70, MAX_DH = 70, PAD = 5 };
    static float q[MAX_DH], keys[MAX_KEYS * (MAX_DH + PAD)], values[MAX_KEYS * (MAX_DH + PAD)];
    static float scores[MAX_KEYS], want_scores[MAX_KEYS], o[MAX_DH], want_o[MAX_DH];
    const size_t keys_list[] = {1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 70};
    const size_t dh_list[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 32, 40, 63, 64, 65, 70};
    const float scale = 0.125f;
    size_t checked = 0;
    for (size_t b = 0; b < sizeof builds / sizeof builds[0]; b++) {
        if (!build_runs(b))
            continue;
        for (size_t a = 0; a < sizeof keys_list / sizeof keys_list[0]; a++)
            for (size_t c = 0; c < sizeof dh_list / sizeof dh_list[0]; c++) {
                size_t n_keys = keys_list[a], dh = dh_list[c], stride = dh + (a + c) % PAD;
                fill(q, dh);
                fill(keys, n_keys * stride);
                fill(values, n_keys * stride);
                fill(scores, MAX_KEYS);
                memcpy(want_scores, scores, sizeof scores);
                for (size_t n = 0; n < n_keys; n++) {
                    float dot = 0.0f;
                    for (size_t i = 0; i < dh; i++)
                        dot += q[i] * keys[n * stride + i];
                    want_scores[n] = dot * scale;
                }
                builds[b].scores(scores, q, keys, n_keys, dh, stride, scale);
                if (memcmp(scores, want_scores, sizeof scores) != 0)
                    fail_msg("%s scores keys=%zu dh=%zu differ from the plain loop (or wrote past the keys)",
                             builds[b].name, n_keys, dh);
                for (size_t i = 0; i < dh; i++) {
                    float sum = 0.0f;
                    for (size_t n = 0; n < n_keys; n++)
                        sum += scores[n] * values[n * stride + i];
                    want_o[i] = sum;
                }
                builds[b].weighted(o, scores, values, n_keys, dh, stride);
                if (memcmp(o, want_o, sizeof(float) * dh) != 0)
                    fail_msg("%s weighted sum keys=%zu dh=%zu differs from the plain loop", builds[b].name, n_keys, dh);
                checked++;
            }
    }
    print_message("attention: %zu shapes bit-identical\n", checked);
}

/* Elementwise kernels (exp, GELU) are tried on 40 arrays per build: one to 20 values (every tail
 * of the vectors), then thousands; values of four spreads, with the specials among them. */
enum { ELEMENTWISE_ROUNDS = 40, ELEMENTWISE_MAX = 4096 };

/* One elementwise case: want = the scalar function on x, then x = the build's kernel on x. */
typedef void elementwise_case(size_t build, float *x, float *want, size_t n, int round);

static void run_elementwise(const char *kernel, elementwise_case *run, const float spreads[4], const float *specials,
                            size_t n_specials)
{
    static float x[ELEMENTWISE_MAX], want[ELEMENTWISE_MAX];
    size_t checked = 0;
    for (size_t b = 0; b < sizeof builds / sizeof builds[0]; b++) {
        if (!build_runs(b))
            continue;
        for (int round = 0; round < ELEMENTWISE_ROUNDS; round++) {
            size_t n = round < 20 ? (size_t)round + 1 : ELEMENTWISE_MAX - (size_t)round;
            for (size_t k = 0; k < n; k++) {
                x[k] = value() * spreads[round % 4];
                if (k % 5 == 2)
                    x[k] = specials[(k / 5 + (size_t)round) % n_specials];
            }
            run(b, x, want, n, round);
            if (memcmp(x, want, sizeof(float) * n) != 0)
                fail_msg("%s %s n=%zu round %d differs from the scalar function", builds[b].name, kernel, n, round);
            checked += n;
        }
    }
    print_message("%s: %zu arguments bit-identical\n", kernel, checked);
}

static void exp_case(size_t build, float *x, float *want, size_t n, int round)
{
    float top = round % 3 == 0 ? 0.0f : round % 3 == 1 ? -1.0f : 2.5f;
    for (size_t k = 0; k < n; k++)
        want[k] = nope_f32_exp(x[k] - top);
    builds[build].exp_minus(x, n, top);
}

/* Softmax's exponentials against nope_f32_exp itself, over arguments across and beyond its
 * normal range (the vector's edges at -87 and 88, subnormal and zero results, infinities, NaN). */
static void test_exp_minus(void **state)
{
    (void)state;
    const float spreads[4] = {1.0f, 60.0f, 130.0f, 1e-3f};
    const float specials[] = {0.0f,
                              -0.0f,
                              -87.0f,
                              -87.00001f,
                              -86.99999f,
                              88.0f,
                              88.00001f,
                              -88.7f,
                              -103.9f,
                              -104.0f,
                              -150.0f,
                              89.0f,
                              1e-30f,
                              -1e-30f,
                              0.5f,
                              -0.5f,
                              -0.34657359f,
                              0.34657359f,
                              __builtin_nanf(""),
                              -__builtin_inff()};
    run_elementwise("exp_minus", exp_case, spreads, specials, sizeof specials / sizeof specials[0]);
}

static void gelu_case(size_t build, float *x, float *want, size_t n, int round)
{
    (void)round;
    for (size_t k = 0; k < n; k++)
        want[k] = nope_kern_gelu_f32(x[k]);
    builds[build].gelu(x, n);
}

/* GELU against nope_kern_gelu_f32 itself: around 0, across tanh's saturation at |u| = 9.1, far
 * out, infinities and NaN. */
static void test_gelu(void **state)
{
    (void)state;
    const float spreads[4] = {1.0f, 8.0f, 20.0f, 1e-3f};
    const float specials[] = {0.0f,
                              -0.0f,
                              1e-30f,
                              -1e-30f,
                              3.9f,
                              -3.9f,
                              4.1f,
                              -4.1f,
                              5.0f,
                              -5.0f,
                              1e10f,
                              -1e10f,
                              1e13f,
                              -1e13f,
                              1e38f,
                              -1e38f,
                              __builtin_inff(),
                              -__builtin_inff(),
                              __builtin_nanf("")};
    run_elementwise("gelu", gelu_case, spreads, specials, sizeof specials / sizeof specials[0]);
}

/* The drawn product through its packed panels, whatever the buffer, against the plain loop on
 * the drawn weights. */
static void test_matmul_drawn(void **state)
{
    (void)state;
    enum { MAX_ROWS = 13, MAX_IN = 300, MAX_OUT = 130 };
    static float in[MAX_ROWS * MAX_IN], out[MAX_ROWS * MAX_OUT], want[MAX_ROWS * MAX_OUT];
    static float weights[MAX_IN * MAX_OUT], wbuf[MAX_IN * MAX_OUT + 16] __attribute__((aligned(64)));
    const size_t rows_list[] = {1, 6, 7, 13};
    const size_t in_list[] = {1, 3, 17, 300};
    const size_t out_list[] = {1, 5, 16, 17, 63, 64, 65, 100, 130};
    size_t checked = 0;
    for (size_t a = 0; a < sizeof rows_list / sizeof rows_list[0]; a++)
        for (size_t c = 0; c < sizeof in_list / sizeof in_list[0]; c++)
            for (size_t e = 0; e < sizeof out_list / sizeof out_list[0]; e++) {
                size_t rows = rows_list[a], n_in = in_list[c], n_out = out_list[e];
                nope_weights w = {nope_rng_stream_make(11, (uint32_t)a, NOPE_RNG_TAG_WEIGHT, (uint32_t)(c * 16 + e)),
                                  335544, 0, 0, NULL};
                fill(in, rows * n_in);
                for (size_t i = 0; i < n_in; i++)
                    for (size_t j = 0; j < n_out; j++)
                        weights[i * n_out + j] = nope_kern_weight(&w, n_out, i, j);
                for (size_t r = 0; r < rows; r++)
                    for (size_t j = 0; j < n_out; j++) {
                        float sum = 0.0f;
                        for (size_t i = 0; i < n_in; i++)
                            sum += in[r * n_in + i] * weights[i * n_out + j];
                        want[r * n_out + j] = sum;
                    }
                /* Whole matrix, one row, a few rows, a few rows from a misaligned start, and
                 * less than a row once the start is aligned (the column-strip path). */
                const struct {
                    size_t offset, cap;
                } bufs[] = {{0, n_in * n_out}, {0, n_out}, {0, 3 * n_out + 5}, {1, 3 * n_out + 5}, {1, n_out + 3}};
                for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++) {
                    nope_kern_matmul_drawn(out, in, rows, n_in, n_out, &w, wbuf + bufs[k].offset, bufs[k].cap);
                    if (memcmp(out, want, sizeof(float) * rows * n_out) != 0)
                        fail_msg("matmul rows=%zu n_in=%zu n_out=%zu buffer %zu+%zu differs from the plain loop", rows,
                                 n_in, n_out, bufs[k].offset, bufs[k].cap);
                    checked++;
                }
            }
    print_message("drawn matmul: %zu shapes and buffers bit-identical\n", checked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_panels), cmocka_unit_test(test_attention),    cmocka_unit_test(test_exp_minus),
        cmocka_unit_test(test_gelu),   cmocka_unit_test(test_matmul_drawn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

static void test_not_this_host(void **state)
{
    (void)state;
    print_message("not an x86-64 gcc build: the host kernels are not compiled here\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_not_this_host)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
