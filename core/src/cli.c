#include "nope/cli.h"

#include "nope/decimal.h"
#include "nope/experiment.h"
#include "nope/format.h"

/* A bounded message being written into the caller's err buffer. */
typedef struct {
    char *buf;
    size_t len;
} message;

/* The message stays one printable line whatever the user typed: control bytes become '?'. */
static void say(message *m, const char *s)
{
    for (; *s && m->len < NOPE_CLI_ERR_MAX - 1; s++)
        m->buf[m->len++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
    m->buf[m->len] = '\0';
}

static void say_u64(message *m, uint64_t v)
{
    char num[NOPE_FMT_MAX];
    nope_fmt_u64(num, v);
    say(m, num);
}

static nope_status fail(char *err, nope_status status, const char *flag, const char *value,
                        const char *why)
{
    message m = {err, 0};
    say(&m, flag);
    if (value) {
        say(&m, " ");
        say(&m, value);
    }
    say(&m, ": ");
    say(&m, why);
    return status;
}

/* An integer flag in [lo, hi]; hi is this build's capacity when cap_name is given. */
static nope_status parse_uint(const char *flag, const char *value, uint64_t lo, uint64_t hi,
                              const char *cap_name, uint32_t *out, char *err)
{
    uint64_t v;
    message m = {err, 0};
    if (nope_dec_parse_u64(value, &v) != NOPE_OK) {
        say(&m, flag);
        say(&m, " ");
        say(&m, value);
        say(&m, ": not a whole number; allowed ");
        say_u64(&m, lo);
        say(&m, "..");
        say_u64(&m, hi);
        return NOPE_ERR_ARG;
    }
    if (v < lo || v > hi) {
        say(&m, flag);
        say(&m, " ");
        say(&m, value);
        say(&m, (v > hi && cap_name) ? ": over this build's capacity " : ": out of range");
        if (v > hi && cap_name) {
            say(&m, cap_name);
            say(&m, "=");
            say_u64(&m, hi);
        }
        say(&m, "; allowed ");
        say_u64(&m, lo);
        say(&m, "..");
        say_u64(&m, hi);
        return v > hi && cap_name ? NOPE_ERR_CAPACITY : NOPE_ERR_ARG;
    }
    *out = (uint32_t)v;
    return NOPE_OK;
}

/* A decimal flag in [lo, hi] (given as text, parsed once here). */
static nope_status parse_decimal(const char *flag, const char *value, const char *lo,
                                 const char *hi, nope_dec *out, char *err)
{
    nope_dec v, vlo, vhi;
    nope_dec_parse(lo, &vlo);
    nope_dec_parse(hi, &vhi);
    message m = {err, 0};
    nope_status parsed = nope_dec_parse(value, &v);
    if (parsed != NOPE_OK || nope_dec_cmp(&v, &vlo) < 0 || nope_dec_cmp(&v, &vhi) > 0) {
        say(&m, flag);
        say(&m, " ");
        say(&m, value);
        say(&m, parsed != NOPE_OK ? ": not a decimal number (at most 18 digits)" : ": out of range");
        say(&m, "; allowed ");
        say(&m, lo);
        say(&m, "..");
        say(&m, hi);
        return NOPE_ERR_ARG;
    }
    *out = v;
    return NOPE_OK;
}

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* "--flag=value" splits into flag and value; returns the length of the flag part. */
static size_t flag_length(const char *arg)
{
    size_t n = 0;
    while (arg[n] && arg[n] != '=')
        n++;
    return n;
}

#define STR_(x) #x
#define STR(x) STR_(x)

nope_status nope_cli_parse(int argc, const char *const *argv, nope_config *cfg, char *err)
{
    nope_config c;
    nope_experiment_defaults(&c);
    bool ffn_given = false;
    err[0] = '\0';
    for (int k = 0; k < argc; k++) {
        const char *arg = argv[k];
        char flag[32];
        size_t n = flag_length(arg);
        const char *value = NULL;
        if (n == 0)
            return fail(err, NOPE_ERR_USAGE, "''", NULL, "an empty argument where a flag was expected (see --help)");
        if (n >= sizeof flag)
            return fail(err, NOPE_ERR_USAGE, arg, NULL, "unknown flag (see --help)");
        for (size_t i = 0; i < n; i++)
            flag[i] = arg[i];
        flag[n] = '\0';
        if (same(flag, "--help") || same(flag, "-h"))
            return NOPE_HELP;
        if (arg[n] == '=')
            value = arg + n + 1;
        else if (k + 1 < argc)
            value = argv[++k];
        nope_status st;
        if (!(same(flag, "--d") || same(flag, "--heads") || same(flag, "--layers") ||
              same(flag, "--ffn") || same(flag, "--seq") || same(flag, "--vocab") ||
              same(flag, "--trials") || same(flag, "--sigma") || same(flag, "--sigma-in") ||
              same(flag, "--eps") || same(flag, "--act") || same(flag, "--input") ||
              same(flag, "--seed")))
            return fail(err, NOPE_ERR_USAGE, arg, NULL, "unknown flag (see --help)");
        if (value == NULL)
            return fail(err, NOPE_ERR_USAGE, flag, NULL, "needs a value (see --help)");
        if (same(flag, "--d"))
            st = parse_uint(flag, value, 2, NOPE_MAX_D, "NOPE_MAX_D", &c.d, err);
        else if (same(flag, "--heads"))
            st = parse_uint(flag, value, 1, NOPE_MAX_HEADS, "NOPE_MAX_HEADS", &c.heads, err);
        else if (same(flag, "--layers"))
            st = parse_uint(flag, value, 1, NOPE_MAX_LAYERS, "NOPE_MAX_LAYERS", &c.layers, err);
        else if (same(flag, "--ffn")) {
            st = parse_uint(flag, value, 1, NOPE_MAX_FFN, "NOPE_MAX_FFN", &c.ffn, err);
            ffn_given = true;
        } else if (same(flag, "--seq"))
            st = parse_uint(flag, value, 2, NOPE_MAX_SEQ, "NOPE_MAX_SEQ", &c.seq, err);
        else if (same(flag, "--vocab"))
            st = parse_uint(flag, value, 1, NOPE_MAX_VOCAB, "NOPE_MAX_VOCAB", &c.vocab, err);
        else if (same(flag, "--trials"))
            st = parse_uint(flag, value, 2, NOPE_MAX_TRIALS, "NOPE_MAX_TRIALS", &c.trials, err);
        /* sigma <= 2 keeps every drawn value below 16 in magnitude, exact in float32. */
        else if (same(flag, "--sigma"))
            st = parse_decimal(flag, value, "0.0001", "2", &c.sigma, err);
        else if (same(flag, "--sigma-in"))
            st = parse_decimal(flag, value, "0.0001", "2", &c.sigma_in, err);
        else if (same(flag, "--eps"))
            st = parse_decimal(flag, value, "0.000000000001", "1", &c.eps, err);
        else if (same(flag, "--act")) {
            st = NOPE_OK;
            if (nope_act_parse(value, &c.act) != NOPE_OK)
                st = fail(err, NOPE_ERR_ARG, flag, value, "unknown activation; allowed relu, gelu");
        } else if (same(flag, "--input")) {
            st = NOPE_OK;
            if (nope_input_parse(value, &c.input) != NOPE_OK)
                st = fail(err, NOPE_ERR_ARG, flag, value, "unknown input; allowed gaussian, tokens");
        } else { /* --seed */
            st = NOPE_OK;
            c.seed_random = same(value, "random");
            if (!c.seed_random && nope_dec_parse_u64(value, &c.seed) != NOPE_OK)
                st = fail(err, NOPE_ERR_ARG, flag, value,
                          "not a seed; allowed a whole number 0..18446744073709551615 or 'random'");
        }
        if (st != NOPE_OK)
            return st;
    }
    if (!ffn_given) {
        c.ffn = 4 * c.d;
        if (c.ffn > NOPE_MAX_FFN) {
            message m = {err, 0};
            say(&m, "--ffn (default 4*d = ");
            say_u64(&m, c.ffn);
            say(&m, "): over this build's capacity NOPE_MAX_FFN=" STR(NOPE_MAX_FFN) "; pass --ffn");
            return NOPE_ERR_CAPACITY;
        }
    }
    if (c.d % c.heads != 0) {
        message m = {err, 0};
        say(&m, "--heads ");
        say_u64(&m, c.heads);
        say(&m, ": must divide --d ");
        say_u64(&m, c.d);
        return NOPE_ERR_ARG;
    }
    if (c.d / c.heads > NOPE_MAX_HEAD_DIM) {
        message m = {err, 0};
        say(&m, "--heads ");
        say_u64(&m, c.heads);
        say(&m, ": head width d/heads = ");
        say_u64(&m, c.d / c.heads);
        say(&m, " is over this build's capacity NOPE_MAX_HEAD_DIM=" STR(NOPE_MAX_HEAD_DIM) "; use more heads");
        return NOPE_ERR_CAPACITY;
    }
    uint64_t scale_q;
    nope_dec_to_ufix(&c.sigma, NOPE_SCALE_FRAC_BITS, &scale_q);
    c.sigma_q = (uint32_t)scale_q;
    nope_dec_to_ufix(&c.sigma_in, NOPE_SCALE_FRAC_BITS, &scale_q);
    c.sigma_in_q = (uint32_t)scale_q;
    *cfg = c;
    return NOPE_OK;
}

const char *nope_cli_usage(void)
{
    return "usage: nope [flags]   (prints the variance report of a random NoPE transformer)\n"
           "  --d N            model width (2.." STR(NOPE_MAX_D) ", default 64)\n"
           "  --heads N        attention heads, must divide d (1.." STR(NOPE_MAX_HEADS) ", default 4)\n"
           "  --layers N       layers (1.." STR(NOPE_MAX_LAYERS) ", default 4)\n"
           "  --ffn N          FFN width (1.." STR(NOPE_MAX_FFN) ", default 4*d)\n"
           "  --seq N          positions (2.." STR(NOPE_MAX_SEQ) ", default 64)\n"
           "  --vocab N        vocabulary for --input tokens (1.." STR(NOPE_MAX_VOCAB) ", default 256)\n"
           "  --sigma X        weight and embedding std (0.0001..2, default 0.02)\n"
           "  --sigma-in X     gaussian input std (0.0001..2, default 0.02)\n"
           "  --eps X          LayerNorm epsilon (1e-12..1, default 0.00001)\n"
           "  --act relu|gelu  FFN activation (default relu; gelu is the tanh form)\n"
           "  --input gaussian|tokens   inputs (default gaussian)\n"
           "  --trials N       trials, weights and inputs drawn afresh each (2.." STR(NOPE_MAX_TRIALS) ", default 1000)\n"
           "  --seed N|random  seed (default 1; random asks the platform and prints the seed used)\n"
           "  --help           this text\n";
}
