/* The C side of tests/scripts/model_file_cross.sh: the core's model file reader and writer behind
 * two commands, printing what `tools/nope-model info --no-stats` prints, so that the two readers,
 * written apart, can be compared line for line.
 *   model_file_bridge info FILE [Q_FRAC]      parse; the lines, or one line and exit 2
 *   model_file_bridge write FILE D HEADS LAYERS FFN VOCAB SEQ relu|gelu
 *                                             a model whose values come from a SplitMix64 stream
 * Hosted C linked with the float32 core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nope/model_file.h"

static const char *const names[NOPE_MF_TENSORS] = {"embed", "ln1_gain", "ln1_bias", "wq",       "wk",
                                                   "wv",    "wo",       "ln2_gain", "ln2_bias", "w1",
                                                   "w2",    "lnf_gain", "lnf_bias"};

static int die(const char *what, const char *why)
{
    fprintf(stderr, "model_file_bridge: %s: %s\n", what, why);
    return 2;
}

/* A tensor's CRC-32 over its values as the accessor returns them, laid out little-endian again:
 * equal to Python's CRC of the file's bytes only if the accessor finds every value where the
 * document puts it. */
static void print_tensor(const nope_model_file *mf, nope_mf_tensor t, uint32_t layer, int per_layer)
{
    uint64_t n = nope_mf_tensor_len(&mf->dims, t);
    uint32_t crc = 0;
    for (uint64_t k = 0; k < n; k++) {
        uint32_t bits = nope_model_file_bits(mf, t, layer, (size_t)k);
        uint8_t le[4] = {(uint8_t)bits, (uint8_t)(bits >> 8), (uint8_t)(bits >> 16), (uint8_t)(bits >> 24)};
        crc = nope_crc32(crc, le, 4);
    }
    if (per_layer)
        printf("tensor %s layer=%u count=%llu crc32=%08x\n", names[t], layer + 1, (unsigned long long)n, crc);
    else
        printf("tensor %s layer=- count=%llu crc32=%08x\n", names[t], (unsigned long long)n, crc);
}

static int info(const char *path, unsigned q_frac)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return die(path, "cannot open");
    static uint8_t buf[1 << 24];
    size_t size = fread(buf, 1, sizeof buf, f);
    fclose(f);
    nope_model_file mf;
    nope_mf_status st = nope_model_file_parse(buf, size, &mf);
    if (st != NOPE_MF_OK)
        return die(path, nope_mf_status_text(st));
    const nope_mf_dims *m = &mf.dims;
    nope_mf_fixed_counts c = nope_model_file_fixed_counts(&mf, q_frac);
    printf("file bytes=%zu version=1 format=f32 crc32=%08x\n", size, mf.crc);
    printf("shape d=%u heads=%u layers=%u ffn=%u vocab=%u seq=%u act=%s eps_bits=%08x\n", m->d, m->heads, m->layers,
           m->ffn, m->vocab, m->seq, nope_act_name(m->act), m->eps_bits);
    printf("fixed q_frac=%u values=%llu saturated=%llu flushed=%llu\n", q_frac, (unsigned long long)c.values,
           (unsigned long long)c.saturated, (unsigned long long)c.flushed);
    print_tensor(&mf, NOPE_MF_EMBED, 0, 0);
    for (uint32_t l = 0; l < m->layers; l++)
        for (int t = NOPE_MF_FIRST_LAYER_TENSOR; t <= NOPE_MF_LAST_LAYER_TENSOR; t++)
            print_tensor(&mf, (nope_mf_tensor)t, l, 1);
    print_tensor(&mf, NOPE_MF_LNF_GAIN, 0, 0);
    print_tensor(&mf, NOPE_MF_LNF_BIAS, 0, 0);
    return 0;
}

/* Value (t, layer, index): a SplitMix64 of its place, as a multiple of 2^-20 in (-2, 2). */
static uint32_t stream(void *ctx, nope_mf_tensor t, uint32_t layer, uint64_t index)
{
    (void)ctx;
    uint64_t z = ((uint64_t)t << 56 | (uint64_t)layer << 40 | index) + UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    return nope_mf_f32_bits((float)((int32_t)(z >> 42) - (1 << 21)) / (float)(1 << 20));
}

static int write_model(char **argv)
{
    nope_mf_dims m = {
        (uint32_t)atoi(argv[1]), (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]), (uint32_t)atoi(argv[4]),
        (uint32_t)atoi(argv[5]), (uint32_t)atoi(argv[6]), NOPE_ACT_RELU,           0x3727c5acu};
    if (nope_act_parse(argv[7], &m.act) != NOPE_OK)
        return die(argv[7], "not an activation");
    static uint8_t buf[1 << 24];
    size_t size;
    nope_mf_status st = nope_model_file_encode(&m, stream, NULL, buf, sizeof buf, &size);
    if (st != NOPE_MF_OK)
        return die("encode", nope_mf_status_text(st));
    FILE *f = fopen(argv[0], "wb");
    if (!f || fwrite(buf, 1, size, f) != size || fclose(f) != 0)
        return die(argv[0], "cannot write");
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "info") == 0)
        return info(argv[2], argc == 4 ? (unsigned)atoi(argv[3]) : 24);
    if (argc == 10 && strcmp(argv[1], "write") == 0)
        return write_model(argv + 2);
    return die("usage", "info FILE [Q_FRAC] | write FILE D HEADS LAYERS FFN VOCAB SEQ relu|gelu");
}
