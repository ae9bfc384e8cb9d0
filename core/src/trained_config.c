/* A trained run's configuration from its model (nope/trained.h): the model fixes the shape, and a
 * flag given that disagrees with it is refused with both values, never silently overridden. */
#include "nope/cli.h"
#include "nope/decimal.h"
#include "nope/format.h"
#include "nope/text_windows.h"
#include "nope/trained.h"
#include "nope/wide.h"

/* err = the pieces, one line of printable ASCII (a file's name may hold anything: '?' then). */
static nope_status say(char *err, const char *a, const char *b, const char *c, const char *d)
{
    const char *parts[] = {a, b, c, d};
    size_t at = 0;
    err[0] = '\0';
    for (int k = 0; k < 4; k++)
        for (const char *p = parts[k]; p && *p && at < NOPE_CLI_ERR_MAX - 1; p++)
            err[at++] = ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) ? '?' : *p;
    err[at] = '\0';
    return NOPE_ERR_ARG;
}

/* "--d 32: the model has d=64" */
static nope_status disagree(char *err, const char *flag, const char *given, const char *key, const char *model)
{
    char what[NOPE_CLI_ERR_MAX];
    size_t at = nope_fmt_append(what, 0, ": the model has ");
    at = nope_fmt_append(what, nope_fmt_append(what, at, key), "=");
    nope_fmt_append(what, at, model);
    return say(err, flag, " ", given, what);
}

static nope_status disagree_u64(char *err, const char *flag, uint64_t given, const char *key, uint64_t model)
{
    char a[NOPE_FMT_MAX], b[NOPE_FMT_MAX];
    nope_fmt_u64(a, given);
    nope_fmt_u64(b, model);
    return disagree(err, flag, a, key, b);
}

/* The float32 eps as the nearest 9-digit decimal, exactly (m 2^(e-150) as a ratio). */
static nope_dec eps_decimal(uint32_t bits)
{
    nope_big num, den;
    nope_big_set_u64(&num, (bits & UINT32_C(0x7fffff)) | UINT32_C(0x800000));
    nope_big_set_u64(&den, 1);
    nope_big_shl(&den, 150u - ((bits >> 23) & 0xffu)); /* e <= 127 for eps <= 1 */
    return nope_dec_from_ratio(&num, &den, false);
}

/* Whether the decimal v (an --eps the CLI accepted: 1e-12 .. 1) is within half a unit in the last
 * place of the model's float32 eps = m 2^-k, i.e. names that float: |v - m 2^-k| <= 2^-(k+1),
 * compared exactly as v 2^(k+1) against 2m -+ 1. */
static bool names_float(const nope_dec *v, uint32_t bits)
{
    uint64_t m = (bits & UINT32_C(0x7fffff)) | UINT32_C(0x800000);
    unsigned k = 150u - ((bits >> 23) & 0xffu);
    nope_big x, lo, hi;
    nope_big_set_u64(&x, v->digits);
    nope_big_shl(&x, k + 1);
    nope_big_set_u64(&lo, 2 * m - 1);
    nope_big_set_u64(&hi, 2 * m + 1);
    if (v->exp10 >= 0)
        nope_big_mul_pow10(&x, (unsigned)v->exp10);
    else {
        nope_big_mul_pow10(&lo, (unsigned)-v->exp10);
        nope_big_mul_pow10(&hi, (unsigned)-v->exp10);
    }
    return nope_big_cmp(&x, &lo) >= 0 && nope_big_cmp(&x, &hi) <= 0;
}

nope_status nope_trained_configure(nope_config *cfg, const nope_trained_inputs *in, char *err)
{
    const nope_mf_dims *m = &in->model.dims;
    const uint32_t given = cfg->given;
    nope_dec eps = eps_decimal(m->eps_bits);
    char a[NOPE_FMT_MAX], b[NOPE_FMT_MAX];
    if (given & (NOPE_GIVEN_SIGMA | NOPE_GIVEN_SIGMA_IN | NOPE_GIVEN_INPUT))
        return say(err,
                   given & NOPE_GIVEN_SIGMA      ? "--sigma"
                   : given & NOPE_GIVEN_SIGMA_IN ? "--sigma-in"
                                                 : "--input",
                   ": not with --model: a trained model's weights and inputs come from its file and the text", NULL,
                   NULL);
    if ((given & NOPE_GIVEN_D) && cfg->d != m->d)
        return disagree_u64(err, "--d", cfg->d, "d", m->d);
    if ((given & NOPE_GIVEN_HEADS) && cfg->heads != m->heads)
        return disagree_u64(err, "--heads", cfg->heads, "heads", m->heads);
    if ((given & NOPE_GIVEN_LAYERS) && cfg->layers != m->layers)
        return disagree_u64(err, "--layers", cfg->layers, "layers", m->layers);
    if ((given & NOPE_GIVEN_FFN) && cfg->ffn != m->ffn)
        return disagree_u64(err, "--ffn", cfg->ffn, "ffn", m->ffn);
    if ((given & NOPE_GIVEN_VOCAB) && cfg->vocab != m->vocab)
        return disagree_u64(err, "--vocab", cfg->vocab, "vocab", m->vocab);
    if ((given & NOPE_GIVEN_ACT) && cfg->act != m->act)
        return disagree(err, "--act", nope_act_name(cfg->act), "act", nope_act_name(m->act));
    if ((given & NOPE_GIVEN_EPS) && !names_float(&cfg->eps, m->eps_bits)) {
        nope_fmt_plain(a, &cfg->eps);
        nope_fmt_sci(b, &eps, NOPE_REPORT_DIGITS);
        return disagree(err, "--eps", a, "eps", b);
    }
    if ((given & NOPE_GIVEN_SEQ) && cfg->seq > m->seq) {
        nope_fmt_u64(a, cfg->seq);
        nope_fmt_u64(b, m->seq);
        return say(err, "--seq ", a, ": over the model's seq=", b);
    }
    uint32_t seq = (given & NOPE_GIVEN_SEQ) ? cfg->seq : m->seq;
    if (in->text_len < (uint64_t)seq + 1) {
        char what[NOPE_CLI_ERR_MAX];
        nope_fmt_u64(a, in->text_len);
        nope_fmt_u64(b, (uint64_t)seq + 1);
        size_t at = nope_fmt_append(what, nope_fmt_append(what, 0, a), " bytes, shorter than one window of seq+1 = ");
        nope_fmt_append(what, nope_fmt_append(what, at, b), " bytes");
        return say(err, "--text ", cfg->text, ": ", what);
    }
    if (in->text_len > NOPE_TEXT_MAX_BYTES)
        return say(err, "--text ", cfg->text, ": over 4 GiB; give the held-out part", NULL);
    for (uint64_t k = 0; k < in->text_len; k++)
        if (in->text[k] >= m->vocab) {
            char what[NOPE_CLI_ERR_MAX];
            nope_fmt_u64(a, in->text[k]);
            nope_fmt_u64(b, k);
            size_t at = nope_fmt_append(what, nope_fmt_append(what, 0, ": byte "), a);
            at = nope_fmt_append(what, nope_fmt_append(what, at, " at offset "), b);
            nope_fmt_u64(a, m->vocab);
            nope_fmt_append(what, nope_fmt_append(what, at, " is outside the model's vocab="), a);
            return say(err, "--text ", cfg->text, what, NULL);
        }
    cfg->d = m->d;
    cfg->heads = m->heads;
    cfg->layers = m->layers;
    cfg->ffn = m->ffn;
    cfg->vocab = m->vocab;
    cfg->act = m->act;
    cfg->eps = eps;
    cfg->seq = seq;
    return NOPE_OK;
}
