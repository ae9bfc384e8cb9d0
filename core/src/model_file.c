#include "nope/model_file.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Header fields: byte offsets (docs/model-format.md, "Header"). */
enum {
    AT_VERSION = 8,
    AT_HEADER_SIZE = 12,
    AT_D = 16,
    AT_HEADS = 20,
    AT_LAYERS = 24,
    AT_FFN = 28,
    AT_VOCAB = 32,
    AT_SEQ = 36,
    AT_ACT = 40,
    AT_EPS = 44,
    AT_FORMAT = 48,
    AT_RESERVED = 52
};

const char *nope_mf_status_text(nope_mf_status st)
{
    switch (st) {
    case NOPE_MF_OK: return "ok";
    case NOPE_MF_ERR_SHORT: return "shorter than a model file's 64-byte header and 4-byte checksum";
    case NOPE_MF_ERR_MAGIC: return "not a model file: it does not begin with NOPEMDL";
    case NOPE_MF_ERR_VERSION: return "a model file version this build does not read (it reads version 1)";
    case NOPE_MF_ERR_HEADER_SIZE: return "header size is not 64, the size of a version 1 header";
    case NOPE_MF_ERR_FORMAT: return "tensor format is not 1 (float32), the only one of version 1";
    case NOPE_MF_ERR_RESERVED: return "reserved header bytes 52..63 are not zero";
    case NOPE_MF_ERR_D: return "d outside this build's range 2..NOPE_MAX_D=" STR(NOPE_MAX_D);
    case NOPE_MF_ERR_HEADS: return "heads outside this build's range 1..NOPE_MAX_HEADS=" STR(NOPE_MAX_HEADS);
    case NOPE_MF_ERR_LAYERS: return "layers outside this build's range 1..NOPE_MAX_LAYERS=" STR(NOPE_MAX_LAYERS);
    case NOPE_MF_ERR_FFN: return "ffn outside this build's range 1..NOPE_MAX_FFN=" STR(NOPE_MAX_FFN);
    case NOPE_MF_ERR_VOCAB: return "vocab outside this build's range 1..NOPE_MAX_VOCAB=" STR(NOPE_MAX_VOCAB);
    case NOPE_MF_ERR_SEQ: return "longest sequence outside this build's range 2..NOPE_MAX_SEQ=" STR(NOPE_MAX_SEQ);
    case NOPE_MF_ERR_HEADS_DIVIDE: return "heads does not divide d";
    case NOPE_MF_ERR_HEAD_DIM:
        return "head width d/heads over this build's capacity NOPE_MAX_HEAD_DIM=" STR(NOPE_MAX_HEAD_DIM);
    case NOPE_MF_ERR_ACT: return "activation code is neither 0 (relu) nor 1 (gelu)";
    case NOPE_MF_ERR_EPS: return "LayerNorm epsilon is not a float32 in 1e-12..1";
    case NOPE_MF_ERR_TRUNCATED: return "truncated: fewer bytes than its dimensions need";
    case NOPE_MF_ERR_TRAILING: return "more bytes than its dimensions need";
    case NOPE_MF_ERR_CHECKSUM: return "CRC-32 mismatch: the file was changed or damaged after it was written";
    case NOPE_MF_ERR_NONFINITE: return "a tensor holds a NaN or an infinity";
    case NOPE_MF_ERR_DST_SMALL: return "the destination is smaller than the model file";
    }
    return "unknown model file status";
}

/* ---- CRC-32, four bits at a time: a 64-byte table (flash is dear on a board), 2 steps a byte ---- */

uint32_t nope_crc32(uint32_t crc, const uint8_t *bytes, size_t n)
{
    static const uint32_t nibble[16] = {0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u,
                                        0x4db26158u, 0x5005713cu, 0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
                                        0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu};
    uint32_t c = ~crc;
    for (size_t k = 0; k < n; k++) {
        c ^= bytes[k];
        c = (c >> 4) ^ nibble[c & 15];
        c = (c >> 4) ^ nibble[c & 15];
    }
    return ~c;
}

/* ---- Shape ---- */

nope_mf_status nope_mf_dims_check(const nope_mf_dims *m)
{
    if (m->d < 2 || m->d > NOPE_MAX_D)
        return NOPE_MF_ERR_D;
    if (m->heads < 1 || m->heads > NOPE_MAX_HEADS)
        return NOPE_MF_ERR_HEADS;
    if (m->layers < 1 || m->layers > NOPE_MAX_LAYERS)
        return NOPE_MF_ERR_LAYERS;
    if (m->ffn < 1 || m->ffn > NOPE_MAX_FFN)
        return NOPE_MF_ERR_FFN;
    if (m->vocab < 1 || m->vocab > NOPE_MAX_VOCAB)
        return NOPE_MF_ERR_VOCAB;
    if (m->seq < 2 || m->seq > NOPE_MAX_SEQ)
        return NOPE_MF_ERR_SEQ;
    if (m->d % m->heads != 0)
        return NOPE_MF_ERR_HEADS_DIVIDE;
    if (m->d / m->heads > NOPE_MAX_HEAD_DIM)
        return NOPE_MF_ERR_HEAD_DIM;
    if (m->act != NOPE_ACT_RELU && m->act != NOPE_ACT_GELU)
        return NOPE_MF_ERR_ACT;
    if (m->eps_bits < NOPE_MF_EPS_BITS_MIN || m->eps_bits > NOPE_MF_EPS_BITS_MAX)
        return NOPE_MF_ERR_EPS;
    return NOPE_MF_OK;
}

uint64_t nope_mf_tensor_len(const nope_mf_dims *m, nope_mf_tensor t)
{
    const uint64_t d = m->d;
    switch (t) {
    case NOPE_MF_EMBED: return (uint64_t)m->vocab * d;
    case NOPE_MF_LN1_GAIN:
    case NOPE_MF_LN1_BIAS:
    case NOPE_MF_LN2_GAIN:
    case NOPE_MF_LN2_BIAS:
    case NOPE_MF_LNF_GAIN:
    case NOPE_MF_LNF_BIAS: return d;
    case NOPE_MF_WQ:
    case NOPE_MF_WK:
    case NOPE_MF_WV:
    case NOPE_MF_WO: return d * d;
    case NOPE_MF_W1:
    case NOPE_MF_W2: return d * m->ffn;
    }
    return 0;
}

/* Values in one layer's tensors together. */
static uint64_t layer_len(const nope_mf_dims *m)
{
    uint64_t n = 0;
    for (int t = NOPE_MF_FIRST_LAYER_TENSOR; t <= NOPE_MF_LAST_LAYER_TENSOR; t++)
        n += nope_mf_tensor_len(m, (nope_mf_tensor)t);
    return n;
}

uint64_t nope_mf_tensor_offset(const nope_mf_dims *m, nope_mf_tensor t, uint32_t layer)
{
    uint64_t values = nope_mf_tensor_len(m, NOPE_MF_EMBED); /* values before t */
    if (t == NOPE_MF_EMBED)
        values = 0;
    else if (t <= NOPE_MF_LAST_LAYER_TENSOR) {
        values += layer * layer_len(m);
        for (int k = NOPE_MF_FIRST_LAYER_TENSOR; k < (int)t; k++)
            values += nope_mf_tensor_len(m, (nope_mf_tensor)k);
    } else {
        values += m->layers * layer_len(m);
        if (t == NOPE_MF_LNF_BIAS)
            values += nope_mf_tensor_len(m, NOPE_MF_LNF_GAIN);
    }
    return NOPE_MF_HEADER_BYTES + 4 * values;
}

uint64_t nope_mf_file_size(const nope_mf_dims *m)
{
    if (nope_mf_dims_check(m) != NOPE_MF_OK)
        return 0;
    return nope_mf_tensor_offset(m, NOPE_MF_LNF_BIAS, 0) + 4 * nope_mf_tensor_len(m, NOPE_MF_LNF_BIAS) +
           NOPE_MF_CRC_BYTES;
}

/* ---- Parsing ---- */

static int is_finite_bits(uint32_t bits)
{
    return (bits & UINT32_C(0x7f800000)) != UINT32_C(0x7f800000);
}

/* Layers a tensor occurs in: every layer's own, or once (layer 0) for the others. */
static uint32_t tensor_layers(const nope_mf_dims *m, nope_mf_tensor t)
{
    return t >= NOPE_MF_FIRST_LAYER_TENSOR && t <= NOPE_MF_LAST_LAYER_TENSOR ? m->layers : 1;
}

/* The first non-finite value in file order into out; NOPE_MF_OK when there is none. */
static nope_mf_status find_nonfinite(nope_model_file *out)
{
    const nope_mf_dims *m = &out->dims;
    /* File order: the embedding, each layer's tensors, the final LN. */
    for (uint32_t pass = 0; pass < 2 + m->layers; pass++) {
        int first = pass == 0 ? NOPE_MF_EMBED : pass == 1 + m->layers ? NOPE_MF_LNF_GAIN : NOPE_MF_FIRST_LAYER_TENSOR;
        int last = pass == 0 ? NOPE_MF_EMBED : pass == 1 + m->layers ? NOPE_MF_LNF_BIAS : NOPE_MF_LAST_LAYER_TENSOR;
        uint32_t layer = pass >= 1 && pass <= m->layers ? pass - 1 : 0;
        for (int t = first; t <= last; t++) {
            const uint8_t *p = out->bytes + nope_mf_tensor_offset(m, (nope_mf_tensor)t, layer);
            uint64_t n = nope_mf_tensor_len(m, (nope_mf_tensor)t);
            for (uint64_t k = 0; k < n; k++)
                if (!is_finite_bits(nope_mf_load_u32(p + 4 * k))) {
                    out->bad_tensor = (nope_mf_tensor)t;
                    out->bad_layer = layer;
                    out->bad_index = k;
                    return NOPE_MF_ERR_NONFINITE;
                }
        }
    }
    return NOPE_MF_OK;
}

static int magic_matches(const uint8_t *bytes, size_t n)
{
    static const uint8_t magic[NOPE_MF_MAGIC_BYTES] = NOPE_MF_MAGIC;
    for (size_t k = 0; k < n && k < NOPE_MF_MAGIC_BYTES; k++)
        if (bytes[k] != magic[k])
            return 0;
    return 1;
}

nope_mf_status nope_model_file_parse(const uint8_t *bytes, size_t size, nope_model_file *out)
{
    nope_model_file mf = {{0, 0, 0, 0, 0, 0, NOPE_ACT_RELU, 0}, bytes, size, 0, 0, NOPE_MF_EMBED, 0, 0};
    *out = mf;
    /* The magic first, on what there is: a text file is "not a model file", not "too short". */
    if (!magic_matches(bytes, size))
        return NOPE_MF_ERR_MAGIC;
    if (size < NOPE_MF_HEADER_BYTES + NOPE_MF_CRC_BYTES)
        return NOPE_MF_ERR_SHORT;
    if (nope_mf_load_u32(bytes + AT_VERSION) != NOPE_MF_VERSION)
        return NOPE_MF_ERR_VERSION;
    if (nope_mf_load_u32(bytes + AT_HEADER_SIZE) != NOPE_MF_HEADER_BYTES)
        return NOPE_MF_ERR_HEADER_SIZE;
    if (nope_mf_load_u32(bytes + AT_FORMAT) != NOPE_MF_FORMAT_F32)
        return NOPE_MF_ERR_FORMAT;
    for (size_t k = AT_RESERVED; k < NOPE_MF_HEADER_BYTES; k++)
        if (bytes[k] != 0)
            return NOPE_MF_ERR_RESERVED;
    nope_mf_dims *m = &out->dims;
    m->d = nope_mf_load_u32(bytes + AT_D);
    m->heads = nope_mf_load_u32(bytes + AT_HEADS);
    m->layers = nope_mf_load_u32(bytes + AT_LAYERS);
    m->ffn = nope_mf_load_u32(bytes + AT_FFN);
    m->vocab = nope_mf_load_u32(bytes + AT_VOCAB);
    m->seq = nope_mf_load_u32(bytes + AT_SEQ);
    uint32_t act = nope_mf_load_u32(bytes + AT_ACT);
    /* An unknown code must not become an enum value the switches do not know: 2 stands for it. */
    m->act = act <= NOPE_ACT_GELU ? (nope_act)act : (nope_act)2;
    m->eps_bits = nope_mf_load_u32(bytes + AT_EPS);
    nope_mf_status st = nope_mf_dims_check(m);
    if (st != NOPE_MF_OK)
        return st;
    out->expected_size = nope_mf_file_size(m);
    if ((uint64_t)size < out->expected_size)
        return NOPE_MF_ERR_TRUNCATED;
    if ((uint64_t)size > out->expected_size)
        return NOPE_MF_ERR_TRAILING;
    out->crc = nope_mf_load_u32(bytes + size - NOPE_MF_CRC_BYTES);
    if (nope_crc32(0, bytes, size - NOPE_MF_CRC_BYTES) != out->crc)
        return NOPE_MF_ERR_CHECKSUM;
    return find_nonfinite(out);
}

uint32_t nope_model_file_bits(const nope_model_file *mf, nope_mf_tensor t, uint32_t layer, size_t index)
{
    if ((unsigned)t >= NOPE_MF_TENSORS || layer >= tensor_layers(&mf->dims, t) ||
        (uint64_t)index >= nope_mf_tensor_len(&mf->dims, t))
        return 0;
    return nope_mf_load_u32(mf->bytes + nope_mf_tensor_offset(&mf->dims, t, layer) + 4 * (uint64_t)index);
}

/* ---- Fixed point ---- */

nope_mf_fixed_format nope_mf_fixed_format_of(nope_mf_tensor t, unsigned q_frac)
{
    const int32_t w_max = ((int32_t)1 << 24) - 1;
    nope_mf_fixed_format weights = {NOPE_DRAW_FRAC_BITS, -w_max, w_max};
    nope_mf_fixed_format activations = {q_frac, INT32_MIN, INT32_MAX};
    switch (t) {
    case NOPE_MF_WQ:
    case NOPE_MF_WK:
    case NOPE_MF_WV:
    case NOPE_MF_WO:
    case NOPE_MF_W1:
    case NOPE_MF_W2: return weights;
    case NOPE_MF_EMBED:
    case NOPE_MF_LN1_GAIN:
    case NOPE_MF_LN1_BIAS:
    case NOPE_MF_LN2_GAIN:
    case NOPE_MF_LN2_BIAS:
    case NOPE_MF_LNF_GAIN:
    case NOPE_MF_LNF_BIAS: return activations;
    }
    return activations;
}

int32_t nope_mf_fixed_from_bits(uint32_t bits, nope_mf_fixed_format f, nope_mf_conv *what)
{
    nope_mf_conv how = NOPE_MF_CONV_FITS;
    const int negative = (int)(bits >> 31);
    const uint32_t biased = (bits >> 23) & 0xffu;
    uint64_t m = bits & UINT32_C(0x7fffff);
    int32_t q;
    if (biased == 0xffu && m != 0) {
        q = 0; /* NaN: no value to round */
    } else if (biased == 0xffu) {
        how = NOPE_MF_CONV_SATURATED;
        q = negative ? f.lo : f.hi;
    } else {
        /* |value| = m 2^(e - 150) with the hidden bit in m (subnormals: e = 1, no hidden bit),
         * so |value| 2^frac = m 2^s. */
        if (biased != 0)
            m |= UINT32_C(1) << 23;
        const int s = (biased != 0 ? (int)biased : 1) - 150 + (int)f.frac;
        uint64_t mag; /* the magnitude of the rounded result, capped at 2^40 (beyond any int32) */
        if (s >= 0)
            mag = s > 16 ? UINT64_C(1) << 40 : m << s;
        else if (s < -40)
            mag = 0; /* |value| 2^frac < 2^-16: rounds to 0 */
        else {
            /* Ties towards +infinity: up for a positive value, down in magnitude for a negative. */
            const unsigned k = (unsigned)-s;
            const uint64_t half = UINT64_C(1) << (k - 1);
            mag = negative ? (m + half - 1) >> k : (m + half) >> k;
        }
        const int64_t v = negative ? -(int64_t)mag : (int64_t)mag;
        if (v > f.hi || v < f.lo) {
            how = NOPE_MF_CONV_SATURATED;
            q = v > f.hi ? f.hi : f.lo;
        } else {
            q = (int32_t)v;
            if (q == 0 && m != 0)
                how = NOPE_MF_CONV_FLUSHED;
        }
    }
    if (what)
        *what = how;
    return q;
}

nope_mf_fixed_counts nope_model_file_fixed_counts(const nope_model_file *mf, unsigned q_frac)
{
    nope_mf_fixed_counts c = {0, 0, 0};
    const nope_mf_dims *m = &mf->dims;
    for (int t = 0; t < NOPE_MF_TENSORS; t++) {
        nope_mf_fixed_format f = nope_mf_fixed_format_of((nope_mf_tensor)t, q_frac);
        uint64_t n = nope_mf_tensor_len(m, (nope_mf_tensor)t);
        for (uint32_t layer = 0; layer < tensor_layers(m, (nope_mf_tensor)t); layer++) {
            const uint8_t *p = mf->bytes + nope_mf_tensor_offset(m, (nope_mf_tensor)t, layer);
            for (uint64_t k = 0; k < n; k++) {
                nope_mf_conv how;
                (void)nope_mf_fixed_from_bits(nope_mf_load_u32(p + 4 * k), f, &how);
                c.saturated += how == NOPE_MF_CONV_SATURATED;
                c.flushed += how == NOPE_MF_CONV_FLUSHED;
            }
            c.values += n;
        }
    }
    return c;
}

nope_num_t nope_model_file_num(const nope_model_file *mf, nope_mf_tensor t, uint32_t layer, size_t index)
{
    uint32_t bits = nope_model_file_bits(mf, t, layer, index);
#if NOPE_NUM == NOPE_NUM_F32
    return nope_mf_f32_from_bits(bits);
#else
    return nope_mf_fixed_from_bits(bits, nope_mf_fixed_format_of(t, NOPE_Q_FRAC), NULL);
#endif
}

/* ---- Writing ---- */

static void store_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

nope_mf_status nope_model_file_encode(const nope_mf_dims *dims, nope_mf_source src, void *ctx, uint8_t *dst, size_t cap,
                                      size_t *size)
{
    *size = 0;
    nope_mf_status st = nope_mf_dims_check(dims);
    if (st != NOPE_MF_OK)
        return st;
    const uint64_t total = nope_mf_file_size(dims);
    *size = (size_t)total == total ? (size_t)total : SIZE_MAX;
    if (total > (uint64_t)cap)
        return NOPE_MF_ERR_DST_SMALL;
    static const uint8_t magic[NOPE_MF_MAGIC_BYTES] = NOPE_MF_MAGIC;
    for (size_t k = 0; k < NOPE_MF_HEADER_BYTES; k++)
        dst[k] = k < NOPE_MF_MAGIC_BYTES ? magic[k] : 0;
    store_u32(dst + AT_VERSION, NOPE_MF_VERSION);
    store_u32(dst + AT_HEADER_SIZE, NOPE_MF_HEADER_BYTES);
    store_u32(dst + AT_D, dims->d);
    store_u32(dst + AT_HEADS, dims->heads);
    store_u32(dst + AT_LAYERS, dims->layers);
    store_u32(dst + AT_FFN, dims->ffn);
    store_u32(dst + AT_VOCAB, dims->vocab);
    store_u32(dst + AT_SEQ, dims->seq);
    store_u32(dst + AT_ACT, (uint32_t)dims->act);
    store_u32(dst + AT_EPS, dims->eps_bits);
    store_u32(dst + AT_FORMAT, NOPE_MF_FORMAT_F32);
    for (int t = 0; t < NOPE_MF_TENSORS; t++) {
        uint64_t n = nope_mf_tensor_len(dims, (nope_mf_tensor)t);
        for (uint32_t layer = 0; layer < tensor_layers(dims, (nope_mf_tensor)t); layer++) {
            uint8_t *p = dst + nope_mf_tensor_offset(dims, (nope_mf_tensor)t, layer);
            for (uint64_t k = 0; k < n; k++) {
                uint32_t bits = src(ctx, (nope_mf_tensor)t, layer, k);
                if (!is_finite_bits(bits))
                    return NOPE_MF_ERR_NONFINITE;
                store_u32(p + 4 * k, bits);
            }
        }
    }
    store_u32(dst + total - NOPE_MF_CRC_BYTES, nope_crc32(0, dst, (size_t)total - NOPE_MF_CRC_BYTES));
    return NOPE_MF_OK;
}
