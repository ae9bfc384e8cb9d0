/* The trained model's pieces (nope/trained.h, nope/text_windows.h), in each numeric mode: the text
 * windows' offsets; a stored matrix through the very matmul that draws random ones, against a
 * plain loop, for every weight-buffer size and for a strip of columns; LayerNorm's gain and bias,
 * and nothing at all for the random model. tests/scripts/trained.sh runs the whole forward
 * against a double-precision evaluation. */
#include "test_util.h"

#include "nope/kernels.h"
#include "nope/model_file.h"
#include "nope/rng.h"
#include "nope/text_windows.h"
#include "nope/trained.h"

#if NOPE_NUM == NOPE_NUM_FIXED
#include "nope/math_fixed.h"
#endif

/* The rule as documented in nope/text_windows.h, spelled out: offset in [0, len - seq). */
static void test_window_offsets(void **state)
{
    (void)state;
    for (uint32_t t = 0; t < 100; t++) {
        uint32_t want = nope_rng_below(nope_rng_u32(nope_rng_stream_make(9, t, NOPE_RNG_TAG_TEXT, 0), 0), 1000 - 64);
        assert_int_equal(nope_text_window_offset(9, t, 1000, 64), want);
        assert_int_equal(nope_text_window_offset(9, t, 65, 64), 0); /* one window: offset 0 only */
    }
    /* len - seq = 5 possible offsets: each one is drawn, nothing past the last. */
    unsigned seen[6] = {0};
    for (uint32_t t = 0; t < 2000; t++) {
        uint32_t off = nope_text_window_offset(1, t, 69, 64);
        assert_true(off < 5);
        seen[off]++;
    }
    for (int k = 0; k < 5; k++)
        assert_true(seen[k] > 300 && seen[k] < 500);
    /* The seed and the trial both move it. */
    assert_int_not_equal(nope_text_window_offset(1, 7, 1u << 30, 64), nope_text_window_offset(2, 7, 1u << 30, 64));
    assert_int_not_equal(nope_text_window_offset(1, 7, 1u << 30, 64), nope_text_window_offset(1, 8, 1u << 30, 64));
}

enum { N_IN = 37, N_OUT = 29, ROWS = 5 };
static uint8_t matrix_bytes[4 * N_IN * N_OUT];
static nope_num_t in_rows[ROWS * N_IN], got[ROWS * N_OUT], want[ROWS * N_OUT];
static nope_num_t wbuf[N_IN * N_OUT];

/* Deterministic values in (-1, 1) times scale; a few of them out of the fixed format's +-16. */
static float value(uint32_t k, float scale)
{
    uint32_t h = k * 2654435761u;
    h ^= h >> 15;
    return ((float)(h % 20001u) - 10000.0f) / 10000.0f * scale;
}

static nope_num_t as_weight(uint32_t bits)
{
#if NOPE_NUM == NOPE_NUM_F32
    return nope_mf_f32_from_bits(bits);
#else
    return nope_mf_fixed_from_bits(bits, nope_mf_fixed_format_of(NOPE_MF_WQ, NOPE_Q_FRAC), NULL);
#endif
}

/* out = in x W[:, col0 .. col0 + width) by the textbook loop: ascending i, one rounding per
 * operation (float32), or exact and rounded once from Q(F+20) (fixed point). */
static void plain_product(nope_num_t *out, size_t col0, size_t width)
{
    for (size_t r = 0; r < ROWS; r++)
        for (size_t j = 0; j < width; j++) {
#if NOPE_NUM == NOPE_NUM_F32
            float sum = 0.0f;
            for (size_t i = 0; i < N_IN; i++)
                sum += in_rows[r * N_IN + i] * as_weight(nope_mf_load_u32(matrix_bytes + 4 * (i * N_OUT + col0 + j)));
            out[r * width + j] = sum;
#else
            int64_t sum = 0;
            for (size_t i = 0; i < N_IN; i++)
                sum += (int64_t)in_rows[r * N_IN + i] *
                       as_weight(nope_mf_load_u32(matrix_bytes + 4 * (i * N_OUT + col0 + j)));
            out[r * width + j] = nope_fx_sat32(nope_fx_round_shr(sum, NOPE_DRAW_FRAC_BITS));
#endif
        }
}

static void test_stored_matmul_is_the_plain_product(void **state)
{
    (void)state;
    for (uint32_t k = 0; k < N_IN * N_OUT; k++) {
        float w = value(k, k % 97 == 0 ? 20.0f : 0.5f); /* every 97th outside +-16 */
        uint32_t bits;
        memcpy(&bits, &w, 4);
        for (int b = 0; b < 4; b++)
            matrix_bytes[4 * k + b] = (uint8_t)(bits >> (8 * b)); /* little-endian, as the file */
    }
    for (uint32_t k = 0; k < ROWS * N_IN; k++) {
#if NOPE_NUM == NOPE_NUM_F32
        in_rows[k] = value(k + 5000, 2.0f);
#else
        in_rows[k] = (nope_num_t)(value(k + 5000, 2.0f) * (float)NOPE_FX_ONE);
#endif
    }
    nope_weights w = {{0}, 0, 0, 0, matrix_bytes};
    plain_product(want, 0, N_OUT);
    static const size_t caps[] = {1, 3, N_OUT - 1, N_OUT, 2 * N_OUT + 5, N_IN * N_OUT};
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        nope_kern_matmul_drawn(got, in_rows, ROWS, N_IN, N_OUT, &w, wbuf, caps[c]);
        assert_memory_equal(got, want, sizeof(nope_num_t) * ROWS * N_OUT);
    }
    /* A strip of columns (one head's), as a worker reads it: row_stride is the whole matrix's. */
    nope_weights strip = {{0}, 0, N_OUT, 11, matrix_bytes};
    plain_product(want, 11, 8);
    nope_kern_matmul_drawn(got, in_rows, ROWS, N_IN, 8, &strip, wbuf, N_IN * N_OUT);
    assert_memory_equal(got, want, sizeof(nope_num_t) * ROWS * 8);
    assert_true(nope_kern_weight(&w, N_OUT, 3, 4) == as_weight(nope_mf_load_u32(matrix_bytes + 4 * (3 * N_OUT + 4))));
}

/* A model of d=4 whose LN1 gain is 0.5 + i/4 and bias i/8 - 0.25 for entry i, other values 0.01 k. */
static const nope_mf_dims dims = {4, 1, 1, 4, 3, 2, NOPE_ACT_RELU, 0x3727c5acu};
static uint32_t source(void *ctx, nope_mf_tensor t, uint32_t layer, uint64_t index)
{
    (void)ctx;
    (void)layer;
    float v = 0.01f * (float)(index + 1);
    if (t == NOPE_MF_LN1_GAIN)
        v = 0.5f + (float)index / 4.0f;
    if (t == NOPE_MF_LN1_BIAS)
        v = (float)index / 8.0f - 0.25f;
    uint32_t bits;
    memcpy(&bits, &v, 4);
    return bits;
}

static void test_layernorm_gain_and_bias(void **state)
{
    (void)state;
    static uint8_t file[1024];
    size_t size;
    nope_model_file mf;
    assert_int_equal(nope_model_file_encode(&dims, source, NULL, file, sizeof file, &size), NOPE_MF_OK);
    assert_int_equal(nope_model_file_parse(file, size, &mf), NOPE_MF_OK);
    const double ln[8] = {1.5, -0.5, 0.25, -1.25, 0.0, 1.0, -1.0, 0.75}; /* two rows of LN output */
    nope_num_t rows[8], untouched[8];
    for (int k = 0; k < 8; k++)
#if NOPE_NUM == NOPE_NUM_F32
        rows[k] = (float)ln[k];
#else
        rows[k] = (nope_num_t)(ln[k] * NOPE_FX_ONE);
#endif
    memcpy(untouched, rows, sizeof rows);
    nope_trained_layernorm_affine(rows, 2, 4, 0, NOPE_MF_LN1_GAIN); /* no model: the random one */
    assert_memory_equal(rows, untouched, sizeof rows);
    nope_trained_select(&mf);
    nope_trained_layernorm_affine(rows, 2, 4, 0, NOPE_MF_LN1_GAIN);
    nope_trained_select(NULL);
    for (int k = 0; k < 8; k++) {
        int i = k % 4;
        double expect = (0.5 + i / 4.0) * ln[k] + (i / 8.0 - 0.25);
#if NOPE_NUM == NOPE_NUM_F32
        assert_true(fabs((double)rows[k] - expect) <= 1e-6);
#else
        assert_true(fabs((double)rows[k] / NOPE_FX_ONE - expect) <= 1.0 / NOPE_FX_ONE); /* one rounding */
#endif
    }
}

#if NOPE_NUM == NOPE_NUM_FIXED
/* The inline conversion is the file's rule: every exponent, both signs, mantissas at the ends,
 * ties, and random ones. */
static void test_activation_conversion_is_the_files(void **state)
{
    (void)state;
    const nope_mf_fixed_format f = nope_mf_fixed_format_of(NOPE_MF_EMBED, NOPE_Q_FRAC);
    static const uint32_t mantissas[] = {0, 1, 2, 3, 0x3fffff, 0x400000, 0x400001, 0x7ffffe, 0x7fffff, 0x123456};
    uint32_t h = 1;
    for (uint32_t e = 0; e <= 0xff; e++)
        for (uint32_t sign = 0; sign <= 1; sign++) {
            for (size_t k = 0; k < sizeof mantissas / sizeof mantissas[0]; k++) {
                uint32_t bits = sign << 31 | e << 23 | mantissas[k];
                assert_int_equal(nope_trained_activation_from_bits(bits), nope_mf_fixed_from_bits(bits, f, NULL));
            }
            for (int k = 0; k < 200; k++) {
                h = h * 1664525u + 1013904223u;
                uint32_t bits = sign << 31 | e << 23 | (h >> 9);
                assert_int_equal(nope_trained_activation_from_bits(bits), nope_mf_fixed_from_bits(bits, f, NULL));
            }
        }
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_offsets),
        cmocka_unit_test(test_stored_matmul_is_the_plain_product),
        cmocka_unit_test(test_layernorm_gain_and_bias),
#if NOPE_NUM == NOPE_NUM_FIXED
        cmocka_unit_test(test_activation_conversion_is_the_files),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
