#include "train_flags.h"

#include "nope/decimal.h"
#include "nope/flag_text.h"
#include "nope/format.h"

#include <stddef.h>

#if NOPE_NUM == NOPE_NUM_F32

/* The shared message and flag-value helpers (nope/flag_text.h, nope's own), with this program's
 * buffer size: the two programs refuse a bad value in the same words. */
static nope_status refuse(char *err, nope_status st, const char *flag, const char *value, const char *why)
{
    return nope_flag_refuse(err, NOPE_TRAIN_ERR_MAX, st, flag, value, why);
}

/* The flags with a whole-number value: [lo, hi], and where it goes. */
typedef struct {
    const char *flag;
    uint64_t lo, hi;
    const char *cap; /* hi is this build's capacity of that name; NULL: the flag's own limit */
    size_t at;       /* offsetof the uint32_t in nope_train_opts */
} uint_flag;

/* The flags with a decimal value: [lo, hi] as text, and where the float and the decimal go. */
typedef struct {
    const char *flag, *lo, *hi;
    size_t at_float, at_dec; /* at_float: (size_t)-1 for sigma, kept as an integer */
} dec_flag;

#define AT(field) offsetof(nope_train_opts, field)
#define NONE ((size_t)-1)

static const uint_flag uint_flags[] = {
    {"--d", 2, NOPE_MAX_D, "NOPE_MAX_D", AT(shape.d)},
    {"--heads", 1, NOPE_MAX_HEADS, "NOPE_MAX_HEADS", AT(shape.heads)},
    {"--layers", 1, NOPE_MAX_LAYERS, "NOPE_MAX_LAYERS", AT(shape.layers)},
    {"--ffn", 1, NOPE_MAX_FFN, "NOPE_MAX_FFN", AT(shape.ffn)},
    {"--seq", 2, NOPE_MAX_SEQ, "NOPE_MAX_SEQ", AT(shape.seq)},
    {"--batch", 1, NOPE_TRAIN_MAX_BATCH, NULL, AT(batch)},
    {"--steps", 1, NOPE_TRAIN_MAX_STEPS, NULL, AT(steps)},
    {"--warmup", 0, NOPE_TRAIN_MAX_STEPS - 1, NULL, AT(warmup)},
    {"--eval-every", 1, NOPE_TRAIN_MAX_STEPS, NULL, AT(eval_every)},
    {"--eval-windows", 1, NOPE_TRAIN_MAX_EVAL_WINDOWS, NULL, AT(eval_windows)},
    {"--checkpoint-every", 0, NOPE_TRAIN_MAX_STEPS, NULL, AT(checkpoint_every)},
    {"--threads", 1, NOPE_MAX_THREADS, "NOPE_MAX_THREADS", AT(threads)},
};

/* sigma <= 2 keeps every drawn value below 16 in magnitude, exact in float32 (as nope's --sigma). */
static const dec_flag dec_flags[] = {
    {"--lr", "0.000001", "1", AT(lr), AT(lr_dec)},
    {"--min-lr-frac", "0", "1", AT(min_lr_frac), AT(min_lr_frac_dec)},
    {"--clip", "0", "1000", AT(clip), AT(clip_dec)},
    {"--weight-decay", "0", "1", AT(weight_decay), AT(weight_decay_dec)},
    {"--sigma", "0.0001", "2", NONE, AT(sigma_dec)},
    {"--eps", "0.000000000001", "1", AT(shape.eps), AT(eps_dec)},
};

static nope_status parse_uint(const uint_flag *f, const char *value, nope_train_opts *o, char *err)
{
    uint64_t v;
    nope_status st = nope_flag_uint(f->flag, value, f->lo, f->hi, f->cap, &v, err, NOPE_TRAIN_ERR_MAX);
    if (st == NOPE_OK)
        *(uint32_t *)((char *)o + f->at) = (uint32_t)v; /* every hi fits 32 bits */
    return st;
}

static nope_status parse_dec(const dec_flag *f, const char *value, nope_train_opts *o, char *err)
{
    nope_dec v;
    nope_status st = nope_flag_decimal(f->flag, value, f->lo, f->hi, &v, err, NOPE_TRAIN_ERR_MAX);
    if (st != NOPE_OK)
        return st;
    *(nope_dec *)((char *)o + f->at_dec) = v;
    if (f->at_float != NONE)
        *(float *)((char *)o + f->at_float) = (float)nope_dec_to_double(&v);
    return NOPE_OK;
}

static void defaults(nope_train_opts *o)
{
    static const char *const typed_defaults[][2] = {{"--lr", "0.003"},   {"--min-lr-frac", "0.1"},
                                                    {"--clip", "1"},     {"--weight-decay", "0.01"},
                                                    {"--sigma", "0.02"}, {"--eps", "0.00001"}};
    char unused[NOPE_TRAIN_ERR_MAX];
    *o = (nope_train_opts){.shape = {64, 4, 4, 256, 256, 64, NOPE_ACT_GELU, 0},
                           .batch = 32,
                           .steps = 5000,
                           .warmup = 200,
                           .eval_every = 250,
                           .eval_windows = 512,
                           .seed = 1};
    for (size_t k = 0; k < sizeof dec_flags / sizeof dec_flags[0]; k++)
        parse_dec(&dec_flags[k], typed_defaults[k][1], o, unused);
}

/* A rule between two flags, said as one line. */
static nope_status conflict(char *err, const char *a, uint64_t av, const char *why, const char *b, uint64_t bv)
{
    nope_msg m = nope_msg_start(err, NOPE_TRAIN_ERR_MAX);
    nope_msg_say(&m, a);
    nope_msg_say(&m, " ");
    nope_msg_u64(&m, av);
    nope_msg_say(&m, why);
    nope_msg_say(&m, b);
    nope_msg_say(&m, " ");
    nope_msg_u64(&m, bv);
    return NOPE_ERR_ARG;
}

nope_status nope_train_flags_parse(int argc, const char *const *argv, nope_train_opts *o, char *err)
{
    nope_train_opts c;
    defaults(&c);
    err[0] = '\0';
    for (int k = 0; k < argc; k++) {
        const char *arg = argv[k], *value = NULL;
        char flag[32];
        size_t n = 0;
        while (arg[n] && arg[n] != '=')
            n++;
        if (n == 0 || n >= sizeof flag)
            return refuse(err, NOPE_ERR_USAGE, arg, NULL, "unknown flag (see --help)");
        for (size_t i = 0; i < n; i++)
            flag[i] = arg[i];
        flag[n] = '\0';
        if (nope_flag_same(flag, "--help") || nope_flag_same(flag, "-h"))
            return NOPE_HELP;
        const uint_flag *uf = NULL;
        const dec_flag *df = NULL;
        for (size_t i = 0; i < sizeof uint_flags / sizeof uint_flags[0]; i++)
            uf = nope_flag_same(flag, uint_flags[i].flag) ? &uint_flags[i] : uf;
        for (size_t i = 0; i < sizeof dec_flags / sizeof dec_flags[0]; i++)
            df = nope_flag_same(flag, dec_flags[i].flag) ? &dec_flags[i] : df;
        bool known = uf || df || nope_flag_same(flag, "--text") || nope_flag_same(flag, "--out") ||
                     nope_flag_same(flag, "--held-out") || nope_flag_same(flag, "--act") ||
                     nope_flag_same(flag, "--seed");
        if (!known)
            return refuse(err, NOPE_ERR_USAGE, arg, NULL, "unknown flag (see --help)");
        if (arg[n] == '=')
            value = arg + n + 1;
        else if (k + 1 < argc)
            value = argv[++k];
        else
            return refuse(err, NOPE_ERR_USAGE, flag, NULL, "needs a value (see --help)");
        nope_status st = NOPE_OK;
        if (uf)
            st = parse_uint(uf, value, &c, err);
        else if (df)
            st = parse_dec(df, value, &c, err);
        else if (nope_flag_same(flag, "--text") || nope_flag_same(flag, "--out") ||
                 nope_flag_same(flag, "--held-out")) {
            if (value[0] == '\0')
                return refuse(err, NOPE_ERR_ARG, flag, value, "an empty path; allowed a file name");
            *(nope_flag_same(flag, "--text") ? &c.text : nope_flag_same(flag, "--out") ? &c.out : &c.held_out) = value;
        } else if (nope_flag_same(flag, "--act")) {
            if (nope_act_parse(value, &c.shape.act) != NOPE_OK)
                st = refuse(err, NOPE_ERR_ARG, flag, value, "unknown activation; allowed relu, gelu");
        } else { /* --seed */
            nope_dec_why why = nope_dec_parse_u64_reason(value, &c.seed);
            if (why != NOPE_DEC_PARSED)
                st = refuse(err, NOPE_ERR_ARG, flag, value,
                            why == NOPE_DEC_TOO_LARGE ? "too large for a seed; allowed 0..18446744073709551615"
                                                      : "not a seed; allowed a whole number 0..18446744073709551615");
        }
        if (st != NOPE_OK)
            return st;
    }
    if (!c.text)
        return refuse(err, NOPE_ERR_USAGE, "--text", NULL, "missing; allowed a file of text to train on (see --help)");
    if (!c.out)
        return refuse(err, NOPE_ERR_USAGE, "--out", NULL, "missing; allowed a path for the model file (see --help)");
    if (c.shape.d % c.shape.heads != 0)
        return conflict(err, "--heads", c.shape.heads, ": must divide ", "--d", c.shape.d);
    if (c.shape.d / c.shape.heads > NOPE_MAX_HEAD_DIM)
        return conflict(err, "--heads", c.shape.heads, ": head width over NOPE_MAX_HEAD_DIM at ", "--d", c.shape.d);
    if (c.warmup >= c.steps)
        return conflict(err, "--warmup", c.warmup, ": must be below ", "--steps", c.steps);
    uint64_t sigma_q;
    nope_dec_to_ufix(&c.sigma_dec, NOPE_SCALE_FRAC_BITS, &sigma_q);
    c.sigma_q = (uint32_t)sigma_q;
    *o = c;
    return NOPE_OK;
}

#define STR_(x) #x
#define STR(x) STR_(x)

const char *nope_train_flags_usage(void)
{
    // clang-format off
    return "usage: nope-train --text TEXT --out MODEL [flags]\n"
           "  trains a byte-level pre-LN NoPE transformer on TEXT and writes MODEL, a model file\n"
           "  (docs/model-format.md), atomically. The first floor(0.9 N) of TEXT's N bytes train;\n"
           "  the rest is held out, never trained on, and gives the held-out bits per byte.\n"
           "  Default shape: the issue's, d=64 heads=4 layers=4 ffn=256 seq=64 gelu.\n"
           "  --text TEXT        the text (bytes; each is a token)\n"
           "  --out MODEL        the model file; an existing one is replaced only by a good model\n"
           "  --held-out FILE    also write the held-out part there (what nope --model M --text FILE reads)\n"
           "  --d N              model width (2.." STR(NOPE_MAX_D) ", default 64)\n"
           "  --heads N          attention heads, must divide d (1.." STR(NOPE_MAX_HEADS) ", default 4)\n"
           "  --layers N         layers (1.." STR(NOPE_MAX_LAYERS) ", default 4)\n"
           "  --ffn N            FFN width (1.." STR(NOPE_MAX_FFN) ", default 256)\n"
           "  --seq N            positions per window (2.." STR(NOPE_MAX_SEQ) ", default 64)\n"
           "  --act relu|gelu    FFN activation (default gelu, tanh form)\n"
           "  --eps X            LayerNorm epsilon (1e-12..1, default 0.00001)\n"
           "  --batch N          windows per step (1.." STR(NOPE_TRAIN_MAX_BATCH) ", default 32)\n"
           "  --steps N          steps (1.." STR(NOPE_TRAIN_MAX_STEPS) ", default 5000)\n"
           "  --lr X             peak learning rate (0.000001..1, default 0.003)\n"
           "  --warmup N         linear warm-up steps, below --steps (default 200)\n"
           "  --min-lr-frac X    the cosine's floor as a fraction of --lr (0..1, default 0.1)\n"
           "  --clip X           gradient norm clip, 0 = none (0..1000, default 1)\n"
           "  --weight-decay X   AdamW's decay of the embedding and matrices (0..1, default 0.01)\n"
           "  --sigma X          std of the initial embedding and matrices (0.0001..2, default 0.02)\n"
           "  --seed N           initial weights and training windows (0..2^64-1, default 1)\n"
           "  --threads N        workers (1.." STR(NOPE_MAX_THREADS) ", default every core; the model is the\n"
           "                     same bytes at any N)\n"
           "  --eval-every N     held-out evaluation every N steps, and at the end (default 250)\n"
           "  --eval-windows N   held-out windows, evenly spaced, the same every time (1.."
                                 STR(NOPE_TRAIN_MAX_EVAL_WINDOWS) ", default 512)\n"
           "  --checkpoint-every N  also write the model to --out every N steps (default 0: at the end only)\n"
           "  --help             this text\n";
    // clang-format on
}

#endif
