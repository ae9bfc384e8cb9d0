/* The model file's parser (nope_model_file_parse) on the fuzzer's bytes, with their last 4 bytes
 * replaced by the right CRC-32, so that the bytes reach the checks behind the checksum (the
 * one-byte change below reaches the checksum itself). The buffer is exactly the input's size:
 * ASan sees a read past the end. Oracle:
 *   - a refusal is a status with a one-line text;
 *   - an accepted file is what docs/model-format.md says, checked here without the parser's help:
 *     magic, version 1, header size 64, format 1, reserved bytes zero, every dimension within this
 *     build's capacities, heads dividing d, the byte count the documented tensor shapes give, every
 *     value finite; and each value's fixed-point conversion is the documented rounding, in double;
 *   - an accepted file re-encodes (nope_model_file_encode, values read through the parser) to
 *     exactly its own bytes: the parser takes only what a writer writes, in the one way it writes it;
 *   - an accepted file with one byte changed (place and change taken from the input) is refused. */
#include "fuzz_util.h"

#include "nope/model_file.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t from_file(void *ctx, nope_mf_tensor t, uint32_t layer, uint64_t index)
{
    return nope_model_file_bits(ctx, t, layer, (size_t)index);
}

/* floor(x 2^frac + 1/2) clamped to [lo, hi], in double (exact: x has 24 significant bits). */
static void check_fixed(uint32_t bits, nope_mf_fixed_format f)
{
    float x;
    memcpy(&x, &bits, 4);
    double v = floor(ldexp((double)x, (int)f.frac) + 0.5);
    nope_mf_conv how;
    int32_t got = nope_mf_fixed_from_bits(bits, f, &how);
    nope_mf_conv want_how = v > f.hi || v < f.lo ? NOPE_MF_CONV_SATURATED
                            : v == 0 && x != 0   ? NOPE_MF_CONV_FLUSHED
                                                 : NOPE_MF_CONV_FITS;
    int32_t want = v > f.hi ? f.hi : v < f.lo ? f.lo : (int32_t)v;
    FUZZ_CHECK(got == want && how == want_how, "%a in Q%u: %d (%d), wanted %d (%d)", (double)x, f.frac, got, how, want,
               want_how);
}

static void check_accepted(const nope_model_file *mf, const uint8_t *buf, size_t len, unsigned q_frac)
{
    const nope_mf_dims *m = &mf->dims;
    FUZZ_CHECK(memcmp(buf, "NOPEMDL", 8) == 0 && le32(buf + 8) == 1 && le32(buf + 12) == 64 && le32(buf + 48) == 1,
               "accepted a header that is not version 1's");
    for (size_t k = 52; k < 64; k++)
        FUZZ_CHECK(buf[k] == 0, "accepted a non-zero reserved byte %zu", k);
    FUZZ_CHECK(m->d == le32(buf + 16) && m->heads == le32(buf + 20) && m->layers == le32(buf + 24) &&
                   m->ffn == le32(buf + 28) && m->vocab == le32(buf + 32) && m->seq == le32(buf + 36) &&
                   (uint32_t)m->act == le32(buf + 40) && m->eps_bits == le32(buf + 44),
               "parsed dimensions differ from the header's");
    FUZZ_CHECK(m->d >= 2 && m->d <= NOPE_MAX_D && m->heads >= 1 && m->heads <= NOPE_MAX_HEADS && m->layers >= 1 &&
                   m->layers <= NOPE_MAX_LAYERS && m->ffn >= 1 && m->ffn <= NOPE_MAX_FFN && m->vocab >= 1 &&
                   m->vocab <= NOPE_MAX_VOCAB && m->seq >= 2 && m->seq <= NOPE_MAX_SEQ,
               "accepted d=%u heads=%u layers=%u ffn=%u vocab=%u seq=%u: outside the capacities", m->d, m->heads,
               m->layers, m->ffn, m->vocab, m->seq);
    FUZZ_CHECK(m->d % m->heads == 0 && m->d / m->heads <= NOPE_MAX_HEAD_DIM, "accepted heads=%u with d=%u", m->heads,
               m->d);
    FUZZ_CHECK(m->act == NOPE_ACT_RELU || m->act == NOPE_ACT_GELU, "accepted activation %u", (unsigned)m->act);
    FUZZ_CHECK(m->eps_bits >= 0x2b8cbccc && m->eps_bits <= 0x3f800000, "accepted eps bits %08x", m->eps_bits);
    const uint64_t d = m->d;
    uint64_t values = m->vocab * d + m->layers * (4 * d + 4 * d * d + 2 * d * m->ffn) + 2 * d;
    FUZZ_CHECK(len == 64 + 4 * values + 4, "accepted %zu bytes for %llu values", len, (unsigned long long)values);
    FUZZ_CHECK(le32(buf + len - 4) == mf->crc, "parsed CRC is not the file's last 4 bytes");

    /* Every value finite; then each one's fixed conversion in the format its tensor has for q_frac
     * activation bits (file order: the embedding, each layer's ten tensors, the final LayerNorm). */
    for (size_t at = 64; at + 4 < len; at += 4) {
        float x;
        memcpy(&x, buf + at, 4);
        FUZZ_CHECK(isfinite(x), "accepted a non-finite value at byte %zu", at);
    }
    static const nope_mf_tensor layer_order[] = {NOPE_MF_LN1_GAIN, NOPE_MF_LN1_BIAS, NOPE_MF_WQ,       NOPE_MF_WK,
                                                 NOPE_MF_WV,       NOPE_MF_WO,       NOPE_MF_LN2_GAIN, NOPE_MF_LN2_BIAS,
                                                 NOPE_MF_W1,       NOPE_MF_W2};
    const uint64_t layer_sizes[] = {d, d, d * d, d * d, d * d, d * d, d, d, d * m->ffn, d * m->ffn};
    size_t at = 64;
    for (uint64_t k = 0; k < m->vocab * d; k++, at += 4)
        check_fixed(le32(buf + at), nope_mf_fixed_format_of(NOPE_MF_EMBED, q_frac));
    for (uint32_t l = 0; l < m->layers; l++)
        for (int t = 0; t < 10; t++)
            for (uint64_t k = 0; k < layer_sizes[t]; k++, at += 4)
                check_fixed(le32(buf + at), nope_mf_fixed_format_of(layer_order[t], q_frac));
    for (uint64_t k = 0; k < 2 * d; k++, at += 4)
        check_fixed(le32(buf + at), nope_mf_fixed_format_of(NOPE_MF_LNF_GAIN, q_frac));
    FUZZ_CHECK(at + 4 == len, "the tensors end at byte %zu of %zu", at, len);

    /* Written again from what the parser reads: the very same bytes. */
    uint8_t *again = malloc(len);
    size_t size = 0;
    nope_mf_status st = nope_model_file_encode(m, from_file, (void *)mf, again, len, &size);
    FUZZ_CHECK(st == NOPE_MF_OK && size == len && memcmp(again, buf, len) == 0,
               "accepted file does not re-encode to its own bytes (status %d, %zu bytes of %zu)", st, size, len);
    free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4 || size > (1u << 20))
        return 0;
    uint8_t *buf = malloc(size);
    memcpy(buf, data, size);
    uint32_t crc = nope_crc32(0, buf, size - 4);
    for (int k = 0; k < 4; k++)
        buf[size - 4 + k] = (uint8_t)(crc >> (8 * k));

    nope_model_file mf;
    nope_mf_status st = nope_model_file_parse(buf, size, &mf);
    const char *text = nope_mf_status_text(st);
    FUZZ_CHECK(text[0] != 0 && strchr(text, '\n') == NULL, "status %d without a one-line text", st);
    if (st == NOPE_MF_OK) {
        /* NOPE_Q_FRAC may be 20..26: the input's last byte (before the CRC replaced it) picks one. */
        check_accepted(&mf, buf, size, 20 + data[size - 1] % 7);
        /* One byte changed, at a place and by a value the input picks: refused. */
        size_t at = (size_t)((data[0] * 7919u + data[size / 2] * 104729u) % size);
        buf[at] ^= (uint8_t)(1 + data[1] % 255);
        st = nope_model_file_parse(buf, size, &mf);
        FUZZ_CHECK(st != NOPE_MF_OK, "file with byte %zu changed still accepted", at);
    }
    free(buf);
    return 0;
}
