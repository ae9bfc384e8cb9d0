/* The model file (nope/model_file.h, docs/model-format.md), in each numeric mode: a file the
 * encoder writes parses back to the same shape and values; every status the parser has is
 * reached by a crafted file (its CRC fixed wherever the check under test comes before the
 * checksum would not, so that it is that check which fires); the fixed-point conversion on its
 * corners; CRC-32 against its standard check value. The fuzz harness tests/fuzz/fuzz_model_file.c
 * and tests/scripts/model_file_cross.sh (Python writes, C reads, and back) go further. */
#include <stdio.h>

#include "test_util.h"

#include "nope/model_file.h"

/* A small model that exercises every tensor: d=4, heads=2, 2 layers, ffn=3, vocab=5, seq=8, GELU,
 * eps = 1e-5 (float32 bits). */
static const nope_mf_dims small = {4, 2, 2, 3, 5, 8, NOPE_ACT_GELU, 0x3727c5acu};

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float f32_of(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Every value distinct and exact in float32: a function of (tensor, layer, index). */
static uint32_t pattern(void *ctx, nope_mf_tensor t, uint32_t layer, uint64_t index)
{
    (void)ctx;
    return f32_bits((float)((int)((t * 131 + layer * 17 + index * 7) % 193) - 96) / 64.0f);
}

/* Like pattern, with the values of `override` where it says. */
typedef struct {
    nope_mf_tensor t;
    uint32_t layer;
    uint64_t index;
    float value;
} cell;
typedef struct {
    const cell *cells;
    size_t n;
} cells;

static uint32_t pattern_with(void *ctx, nope_mf_tensor t, uint32_t layer, uint64_t index)
{
    const cells *c = ctx;
    for (size_t k = 0; k < c->n; k++)
        if (c->cells[k].t == t && c->cells[k].layer == layer && c->cells[k].index == index)
            return f32_bits(c->cells[k].value);
    return pattern(NULL, t, layer, index);
}

static uint8_t file[1 << 14];
static size_t file_size;

static void encode_small(void)
{
    assert_int_equal(nope_model_file_encode(&small, pattern, NULL, file, sizeof file, &file_size), NOPE_MF_OK);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

/* The checksum made right again after an edit, so that the check under test is what fires. */
static void fix_crc(uint8_t *bytes, size_t size)
{
    put_u32(bytes + size - 4, nope_crc32(0, bytes, size - 4));
}

/* parse(file with the u32 at `at` replaced by v, CRC fixed) */
static nope_mf_status parse_with_u32(size_t at, uint32_t v)
{
    static uint8_t copy[sizeof file];
    memcpy(copy, file, file_size);
    put_u32(copy + at, v);
    fix_crc(copy, file_size);
    nope_model_file mf;
    return nope_model_file_parse(copy, file_size, &mf);
}

static void test_crc32_check_value(void **state)
{
    (void)state;
    const uint8_t *check = (const uint8_t *)"123456789";
    assert_int_equal(nope_crc32(0, check, 9), 0xCBF43926u);
    assert_int_equal(nope_crc32(0, check, 0), 0);
    /* Continued over a split, as zlib.crc32(b, crc32(a)). */
    assert_int_equal(nope_crc32(nope_crc32(0, check, 4), check + 4, 5), 0xCBF43926u);
}

static void test_encoded_file_parses_to_the_same_values(void **state)
{
    (void)state;
    encode_small();
    assert_int_equal(file_size, nope_mf_file_size(&small));
    /* header + 4 bytes x (embedding 5*4 + 2 layers x (4+4+4*16+4+4+2*12) + final LN 4+4) + CRC */
    assert_int_equal(file_size, 64 + 4 * (20 + 2 * 104 + 8) + 4);
    nope_model_file mf;
    assert_int_equal(nope_model_file_parse(file, file_size, &mf), NOPE_MF_OK);
    assert_memory_equal(&mf.dims, &small, sizeof small);
    assert_ptr_equal(mf.bytes, file);
    assert_int_equal(mf.size, file_size);
    assert_int_equal(mf.crc, nope_crc32(0, file, file_size - 4));
    assert_memory_equal(file, "NOPEMDL\0", 8);

    /* The tensors back to back in the documented order, from byte 64 to the CRC. */
    uint64_t at = 64;
    for (uint32_t pass = 0; pass < 2 + small.layers; pass++) {
        int first = pass == 0 ? NOPE_MF_EMBED : pass == 1 + small.layers ? NOPE_MF_LNF_GAIN : NOPE_MF_LN1_GAIN;
        int last = pass == 0 ? NOPE_MF_EMBED : pass == 1 + small.layers ? NOPE_MF_LNF_BIAS : NOPE_MF_W2;
        uint32_t layer = pass >= 1 && pass <= small.layers ? pass - 1 : 0;
        for (int t = first; t <= last; t++) {
            assert_int_equal(nope_mf_tensor_offset(&small, (nope_mf_tensor)t, layer), at);
            uint64_t n = nope_mf_tensor_len(&small, (nope_mf_tensor)t);
            for (uint64_t k = 0; k < n; k++) {
                uint32_t want = pattern(NULL, (nope_mf_tensor)t, layer, k);
                assert_int_equal(nope_model_file_bits(&mf, (nope_mf_tensor)t, layer, k), want);
                nope_num_t v = nope_model_file_num(&mf, (nope_mf_tensor)t, layer, k);
#if NOPE_NUM == NOPE_NUM_F32
                assert_true(v == f32_of(want));
#else
                assert_int_equal(v, nope_mf_fixed_from_bits(want, nope_mf_fixed_format_of(t, NOPE_Q_FRAC), NULL));
                /* every pattern value is a multiple of 1/64: exact in both fixed formats */
                int frac = nope_mf_fixed_format_of(t, NOPE_Q_FRAC).frac;
                assert_true((double)v == ldexp((double)f32_of(want), frac));
#endif
            }
            at += 4 * n;
        }
    }
    assert_int_equal(at + 4, file_size);
    assert_int_equal(nope_mf_tensor_len(&small, NOPE_MF_EMBED), 20);
    assert_int_equal(nope_mf_tensor_len(&small, NOPE_MF_W1), 12);
    assert_int_equal(nope_mf_tensor_len(&small, NOPE_MF_WO), 16);

    /* Places outside the tensors read 0, never past the buffer. */
    assert_int_equal(nope_model_file_bits(&mf, NOPE_MF_W2, 2, 0), 0);
    assert_int_equal(nope_model_file_bits(&mf, NOPE_MF_W2, 0, 12), 0);
    assert_int_equal(nope_model_file_bits(&mf, NOPE_MF_EMBED, 1, 0), 0);
    assert_int_equal(nope_model_file_bits(&mf, (nope_mf_tensor)NOPE_MF_TENSORS, 0, 0), 0);

    /* Unaligned: the same file one byte further on parses to the same values. */
    static uint8_t shifted[sizeof file + 1];
    memcpy(shifted + 1, file, file_size);
    assert_int_equal(nope_model_file_parse(shifted + 1, file_size, &mf), NOPE_MF_OK);
    assert_int_equal(nope_model_file_bits(&mf, NOPE_MF_W1, 1, 11), pattern(NULL, NOPE_MF_W1, 1, 11));
}

static void test_encoder_refusals(void **state)
{
    (void)state;
    static uint8_t dst[sizeof file];
    size_t size = 0;
    memset(dst, 0xa5, sizeof dst);
    uint64_t need = nope_mf_file_size(&small);
    assert_int_equal(nope_model_file_encode(&small, pattern, NULL, dst, (size_t)need - 1, &size),
                     NOPE_MF_ERR_DST_SMALL);
    assert_int_equal(size, need); /* so that a caller can size its buffer */
    for (size_t k = 0; k < sizeof dst; k++)
        assert_int_equal(dst[k], 0xa5); /* nothing written */
    assert_int_equal(nope_model_file_encode(&small, pattern, NULL, dst, (size_t)need, &size), NOPE_MF_OK);

    const cell nan_cell = {NOPE_MF_WV, 1, 3, NAN}, inf_cell = {NOPE_MF_LNF_BIAS, 0, 0, -INFINITY};
    cells c = {&nan_cell, 1};
    assert_int_equal(nope_model_file_encode(&small, pattern_with, &c, dst, sizeof dst, &size), NOPE_MF_ERR_NONFINITE);
    c.cells = &inf_cell;
    assert_int_equal(nope_model_file_encode(&small, pattern_with, &c, dst, sizeof dst, &size), NOPE_MF_ERR_NONFINITE);

    nope_mf_dims bad = small;
    bad.heads = 3;
    assert_int_equal(nope_model_file_encode(&bad, pattern, NULL, dst, sizeof dst, &size), NOPE_MF_ERR_HEADS_DIVIDE);
    assert_int_equal(size, 0);
    assert_int_equal(nope_mf_file_size(&bad), 0);
}

static void test_truncated_and_trailing(void **state)
{
    (void)state;
    encode_small();
    nope_model_file mf;
    /* Inside the header (or before its checksum could be): too short. */
    const size_t short_at[] = {0, 4, 8, 12, 63, 64, 67};
    for (size_t k = 0; k < sizeof short_at / sizeof short_at[0]; k++)
        assert_int_equal(nope_model_file_parse(file, short_at[k], &mf), NOPE_MF_ERR_SHORT);
    /* Past the header: fewer bytes than the dimensions need, whatever the last 4 bytes hold. */
    const size_t cut_at[] = {68, 100, 64 + 4 * 20, file_size / 2, file_size - 4, file_size - 1};
    for (size_t k = 0; k < sizeof cut_at / sizeof cut_at[0]; k++) {
        assert_int_equal(nope_model_file_parse(file, cut_at[k], &mf), NOPE_MF_ERR_TRUNCATED);
        assert_int_equal(mf.expected_size, file_size);
        fix_crc(file, cut_at[k]); /* even with a checksum that matches what is left */
        assert_int_equal(nope_model_file_parse(file, cut_at[k], &mf), NOPE_MF_ERR_TRUNCATED);
        encode_small();
    }
    file[file_size] = 0;
    fix_crc(file, file_size + 1);
    assert_int_equal(nope_model_file_parse(file, file_size + 1, &mf), NOPE_MF_ERR_TRAILING);
}

static void test_header_refusals(void **state)
{
    (void)state;
    encode_small();
    nope_model_file mf;
    /* Magic: one byte off, and a text file too short to be anything. */
    uint8_t saved = file[3];
    file[3] = 'X';
    fix_crc(file, file_size);
    assert_int_equal(nope_model_file_parse(file, file_size, &mf), NOPE_MF_ERR_MAGIC);
    file[3] = saved;
    assert_int_equal(nope_model_file_parse((const uint8_t *)"hello", 5, &mf), NOPE_MF_ERR_MAGIC);
    assert_int_equal(nope_model_file_parse((const uint8_t *)"NOPEMDL\0\1", 9, &mf), NOPE_MF_ERR_SHORT);
    encode_small();

    assert_int_equal(parse_with_u32(8, 0), NOPE_MF_ERR_VERSION);
    assert_int_equal(parse_with_u32(8, 2), NOPE_MF_ERR_VERSION);
    assert_int_equal(parse_with_u32(12, 65), NOPE_MF_ERR_HEADER_SIZE);
    assert_int_equal(parse_with_u32(12, 68), NOPE_MF_ERR_HEADER_SIZE);
    assert_int_equal(parse_with_u32(48, 0), NOPE_MF_ERR_FORMAT);
    assert_int_equal(parse_with_u32(48, 2), NOPE_MF_ERR_FORMAT);
    for (size_t at = 52; at < 64; at += 4)
        assert_int_equal(parse_with_u32(at, 1u << 24), NOPE_MF_ERR_RESERVED);
}

static void test_dimension_refusals(void **state)
{
    (void)state;
    encode_small();
    const struct {
        size_t at;
        uint32_t value;
        nope_mf_status want;
    } cases[] = {
        {16, 1, NOPE_MF_ERR_D},
        {16, NOPE_MAX_D + 1, NOPE_MF_ERR_D},
        {16, UINT32_MAX, NOPE_MF_ERR_D},
        {20, 0, NOPE_MF_ERR_HEADS},
        {20, NOPE_MAX_HEADS + 1, NOPE_MF_ERR_HEADS},
        {24, 0, NOPE_MF_ERR_LAYERS},
        {24, NOPE_MAX_LAYERS + 1, NOPE_MF_ERR_LAYERS},
        {28, 0, NOPE_MF_ERR_FFN},
        {28, NOPE_MAX_FFN + 1, NOPE_MF_ERR_FFN},
        {32, 0, NOPE_MF_ERR_VOCAB},
        {32, NOPE_MAX_VOCAB + 1, NOPE_MF_ERR_VOCAB},
        {36, 1, NOPE_MF_ERR_SEQ},
        {36, NOPE_MAX_SEQ + 1, NOPE_MF_ERR_SEQ},
        {20, 3, NOPE_MF_ERR_HEADS_DIVIDE}, /* d = 4 */
        {40, 2, NOPE_MF_ERR_ACT},
        {40, UINT32_MAX, NOPE_MF_ERR_ACT},
        {44, 0, NOPE_MF_ERR_EPS},                        /* 0 */
        {44, 0x80000000u, NOPE_MF_ERR_EPS},              /* -0 */
        {44, 0xb727c5acu, NOPE_MF_ERR_EPS},              /* -1e-5 */
        {44, NOPE_MF_EPS_BITS_MIN - 1, NOPE_MF_ERR_EPS}, /* just under 1e-12 */
        {44, NOPE_MF_EPS_BITS_MAX + 1, NOPE_MF_ERR_EPS}, /* just over 1 */
        {44, 0x7fc00000u, NOPE_MF_ERR_EPS},              /* NaN */
        {44, 0x7f800000u, NOPE_MF_ERR_EPS},              /* infinity */
        /* In range but not this file's shape: then the byte count disagrees. */
        {16, 8, NOPE_MF_ERR_TRUNCATED},
        {32, 1, NOPE_MF_ERR_TRAILING},
        {44, NOPE_MF_EPS_BITS_MIN, NOPE_MF_OK},
        {44, NOPE_MF_EPS_BITS_MAX, NOPE_MF_OK},
        {40, 0, NOPE_MF_OK},
        {36, 2, NOPE_MF_OK}, /* seq sizes no tensor */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        nope_mf_status got = parse_with_u32(cases[k].at, cases[k].value);
        if (got != cases[k].want)
            fail_msg("field at %zu = %u: status %d (%s), wanted %d", cases[k].at, cases[k].value, got,
                     nope_mf_status_text(got), cases[k].want);
    }
#if NOPE_MAX_HEAD_DIM < NOPE_MAX_D
    nope_mf_dims wide = small;
    wide.d = NOPE_MAX_HEAD_DIM * 2;
    wide.heads = 1;
    assert_int_equal(nope_mf_dims_check(&wide), NOPE_MF_ERR_HEAD_DIM);
#endif
}

static void test_checksum_and_nonfinite(void **state)
{
    (void)state;
    encode_small();
    nope_model_file mf;
    /* A changed value, or a changed checksum. */
    file[200] ^= 0x10;
    assert_int_equal(nope_model_file_parse(file, file_size, &mf), NOPE_MF_ERR_CHECKSUM);
    file[200] ^= 0x10;
    file[file_size - 2] ^= 1;
    assert_int_equal(nope_model_file_parse(file, file_size, &mf), NOPE_MF_ERR_CHECKSUM);
    file[file_size - 2] ^= 1;
    assert_int_equal(nope_model_file_parse(file, file_size, &mf), NOPE_MF_OK);

    /* NaN, +inf and -inf, with the checksum made right: the finiteness check fires, and says where. */
    const struct {
        nope_mf_tensor t;
        uint32_t layer, index, bits;
    } bad[] = {
        {NOPE_MF_W1, 1, 7, 0x7fc00000u},  {NOPE_MF_EMBED, 0, 0, 0x7f800001u},    {NOPE_MF_LNF_BIAS, 0, 3, 0x7f800000u},
        {NOPE_MF_WQ, 0, 15, 0xff800000u}, {NOPE_MF_LN2_GAIN, 1, 2, 0xffffffffu},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        encode_small();
        put_u32(file + nope_mf_tensor_offset(&small, bad[k].t, bad[k].layer) + 4 * bad[k].index, bad[k].bits);
        fix_crc(file, file_size);
        assert_int_equal(nope_model_file_parse(file, file_size, &mf), NOPE_MF_ERR_NONFINITE);
        assert_int_equal(mf.bad_tensor, bad[k].t);
        assert_int_equal(mf.bad_layer, bad[k].layer);
        assert_int_equal(mf.bad_index, bad[k].index);
    }
    /* The largest finite values and subnormals are fine. */
    encode_small();
    put_u32(file + nope_mf_tensor_offset(&small, NOPE_MF_W2, 1), 0x7f7fffffu);
    put_u32(file + nope_mf_tensor_offset(&small, NOPE_MF_W2, 1) + 4, 0x80000001u);
    fix_crc(file, file_size);
    assert_int_equal(nope_model_file_parse(file, file_size, &mf), NOPE_MF_OK);
}

static void test_status_texts(void **state)
{
    (void)state;
    for (int a = 0; a < NOPE_MF_STATUSES; a++) {
        const char *ta = nope_mf_status_text((nope_mf_status)a);
        assert_true(strlen(ta) > 1 && strchr(ta, '\n') == NULL);
        assert_string_not_equal(ta, "unknown model file status");
        for (int b = 0; b < a; b++)
            assert_string_not_equal(ta, nope_mf_status_text((nope_mf_status)b));
    }
    assert_string_equal(nope_mf_status_text((nope_mf_status)NOPE_MF_STATUSES), "unknown model file status");
    /* A capacity names this build's limit. */
    char want[64];
    snprintf(want, sizeof want, "NOPE_MAX_D=%d", NOPE_MAX_D);
    assert_non_null(strstr(nope_mf_status_text(NOPE_MF_ERR_D), want));
}

/* The rounding the documentation states, in double: floor(x 2^frac + 1/2), clamped. */
static int32_t fixed_ref(double x, nope_mf_fixed_format f, nope_mf_conv *what)
{
    double v = floor(ldexp(x, (int)f.frac) + 0.5);
    *what = NOPE_MF_CONV_FITS;
    if (v > f.hi || v < f.lo) {
        *what = NOPE_MF_CONV_SATURATED;
        return v > f.hi ? f.hi : f.lo;
    }
    if (v == 0 && x != 0)
        *what = NOPE_MF_CONV_FLUSHED;
    return (int32_t)v;
}

static void expect_fixed(float x, nope_mf_fixed_format f, int32_t want, nope_mf_conv want_how)
{
    nope_mf_conv how = (nope_mf_conv)-1;
    int32_t got = nope_mf_fixed_from_bits(f32_bits(x), f, &how);
    if (got != want || how != want_how)
        fail_msg("%a in Q%u: %d (%d), wanted %d (%d)", (double)x, f.frac, got, how, want, want_how);
}

static void test_fixed_conversion_corners(void **state)
{
    (void)state;
    const nope_mf_fixed_format q24 = nope_mf_fixed_format_of(NOPE_MF_EMBED, 24);
    const nope_mf_fixed_format q20 = nope_mf_fixed_format_of(NOPE_MF_W1, 24);
    assert_int_equal(q24.frac, 24);
    assert_int_equal(q24.lo, INT32_MIN);
    assert_int_equal(q24.hi, INT32_MAX);
    assert_int_equal(q20.frac, NOPE_DRAW_FRAC_BITS);
    assert_int_equal(q20.hi, (1 << 24) - 1);
    assert_int_equal(q20.lo, -((1 << 24) - 1));
    for (int t = 0; t < NOPE_MF_TENSORS; t++) {
        int matrix = t >= NOPE_MF_WQ && t <= NOPE_MF_WO ? 1 : t == NOPE_MF_W1 || t == NOPE_MF_W2;
        assert_int_equal(nope_mf_fixed_format_of((nope_mf_tensor)t, 26).frac, matrix ? 20 : 26);
    }
    const float lsb = 0x1p-24f;
    /* Exact halves: ties towards +infinity, as nope_fx_round_shr. */
    expect_fixed(0.5f * lsb, q24, 1, NOPE_MF_CONV_FITS);
    expect_fixed(-0.5f * lsb, q24, 0, NOPE_MF_CONV_FLUSHED);
    expect_fixed(1.5f * lsb, q24, 2, NOPE_MF_CONV_FITS);
    expect_fixed(-1.5f * lsb, q24, -1, NOPE_MF_CONV_FITS);
    expect_fixed(2.5f * lsb, q24, 3, NOPE_MF_CONV_FITS);
    expect_fixed(-2.5f * lsb, q24, -2, NOPE_MF_CONV_FITS);
    expect_fixed(-2.75f * lsb, q24, -3, NOPE_MF_CONV_FITS);
    expect_fixed(0.49999997f * lsb, q24, 0, NOPE_MF_CONV_FLUSHED);
    expect_fixed(0x1p-149f, q24, 0, NOPE_MF_CONV_FLUSHED); /* the least subnormal */
    expect_fixed(0.0f, q24, 0, NOPE_MF_CONV_FITS);
    expect_fixed(-0.0f, q24, 0, NOPE_MF_CONV_FITS);
    expect_fixed(1.0f, q24, 1 << 24, NOPE_MF_CONV_FITS);
    expect_fixed(-0.75f, q20, -(3 << 18), NOPE_MF_CONV_FITS);
    /* Saturation, both signs, in both formats; -128 is exactly INT32_MIN in Q24. */
    expect_fixed(128.0f, q24, INT32_MAX, NOPE_MF_CONV_SATURATED);
    expect_fixed(127.99999f, q24, (int32_t)(127.99999f * 0x1p24f), NOPE_MF_CONV_FITS);
    expect_fixed(-128.0f, q24, INT32_MIN, NOPE_MF_CONV_FITS);
    expect_fixed(-128.00002f, q24, INT32_MIN, NOPE_MF_CONV_SATURATED);
    expect_fixed(1e30f, q24, INT32_MAX, NOPE_MF_CONV_SATURATED);
    expect_fixed(-3.4e38f, q24, INT32_MIN, NOPE_MF_CONV_SATURATED);
    expect_fixed(16.0f, q20, (1 << 24) - 1, NOPE_MF_CONV_SATURATED);
    expect_fixed(-16.0f, q20, -((1 << 24) - 1), NOPE_MF_CONV_SATURATED);
    expect_fixed(16.0f - 0x1p-20f, q20, (1 << 24) - 1, NOPE_MF_CONV_FITS);
    expect_fixed(-(16.0f - 0x1p-20f), q20, -((1 << 24) - 1), NOPE_MF_CONV_FITS);
    expect_fixed(INFINITY, q20, (1 << 24) - 1, NOPE_MF_CONV_SATURATED);
    expect_fixed(-INFINITY, q24, INT32_MIN, NOPE_MF_CONV_SATURATED);
    assert_int_equal(nope_mf_fixed_from_bits(0x7fc00000u, q24, NULL), 0); /* NaN */

    /* Random floats of every scale against the double reference. */
    uint64_t seed = 10;
    const unsigned fracs[] = {20, 24, 26};
    for (int64_t n = 0; n < nope_test_points(200000); n++) {
        uint64_t r = nope_test_splitmix(&seed);
        /* exponents around the interesting range (2^-50 .. 2^20), any mantissa and sign */
        uint32_t bits = (uint32_t)(r & 0x807fffffu) | (uint32_t)(77 + (r >> 32) % 70) << 23;
        nope_mf_fixed_format f =
            nope_mf_fixed_format_of((r >> 40) & 1 ? NOPE_MF_WQ : NOPE_MF_LN1_BIAS, fracs[(r >> 41) % 3]);
        nope_mf_conv how, want_how;
        int32_t got = nope_mf_fixed_from_bits(bits, f, &how);
        int32_t want = fixed_ref((double)f32_of(bits), f, &want_how);
        if (got != want || how != want_how)
            fail_msg("%a in Q%u: %d (%d), wanted %d (%d)", (double)f32_of(bits), f.frac, got, how, want, want_how);
    }
}

static void test_fixed_counts_of_a_file(void **state)
{
    (void)state;
    /* Q20 matrices saturate from 16 and flush under 2^-21; Q24 tensors saturate from 128 and
     * flush under 2^-25 (and at -2^-25: ties up). */
    const cell c[] = {
        {NOPE_MF_W1, 0, 0, 20.0f},
        {NOPE_MF_W2, 1, 3, -16.0f},
        {NOPE_MF_WO, 1, 2, 1e-9f},
        {NOPE_MF_EMBED, 0, 4, 200.0f},
        {NOPE_MF_EMBED, 0, 5, 1e-9f},
        {NOPE_MF_LNF_GAIN, 0, 1, -129.0f},
        {NOPE_MF_LN1_BIAS, 1, 0, 40.0f}, /* fits in Q24 */
        {NOPE_MF_WK, 0, 0, 0.0f},        /* zero is not a flush */
        {NOPE_MF_LN2_BIAS, 0, 0, -0x1p-25f},
    };
    cells cs = {c, sizeof c / sizeof c[0]};
    assert_int_equal(nope_model_file_encode(&small, pattern_with, &cs, file, sizeof file, &file_size), NOPE_MF_OK);
    nope_model_file mf;
    assert_int_equal(nope_model_file_parse(file, file_size, &mf), NOPE_MF_OK);
    nope_mf_fixed_counts n = nope_model_file_fixed_counts(&mf, 24);
    assert_int_equal(n.values, (file_size - 68) / 4);
    assert_int_equal(n.saturated, 4);
    assert_int_equal(n.flushed, 3);
    /* With 26 fraction bits the activation format holds +-32 only: 40.0 saturates too, and
     * -2^-25 is 2 steps, no longer a flush (1e-9 still is: under half of 2^-26). */
    n = nope_model_file_fixed_counts(&mf, 26);
    assert_int_equal(n.saturated, 5);
    assert_int_equal(n.flushed, 2);
#if NOPE_NUM == NOPE_NUM_FIXED
    assert_int_equal(nope_model_file_num(&mf, NOPE_MF_W1, 0, 0), (1 << 24) - 1);
    assert_int_equal(nope_model_file_num(&mf, NOPE_MF_EMBED, 0, 4), INT32_MAX);
#else
    assert_true(nope_model_file_num(&mf, NOPE_MF_W1, 0, 0) == 20.0f);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_check_value),        cmocka_unit_test(test_encoded_file_parses_to_the_same_values),
        cmocka_unit_test(test_encoder_refusals),         cmocka_unit_test(test_truncated_and_trailing),
        cmocka_unit_test(test_header_refusals),          cmocka_unit_test(test_dimension_refusals),
        cmocka_unit_test(test_checksum_and_nonfinite),   cmocka_unit_test(test_status_texts),
        cmocka_unit_test(test_fixed_conversion_corners), cmocka_unit_test(test_fixed_counts_of_a_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
