#include "nope/cli.h"

#include "nope/decimal.h"
#include "nope/experiment.h"
#include "nope/flag_text.h"
#include "nope/format.h"

/* The shared message and flag-value helpers (nope/flag_text.h), with this program's buffer size. */
static nope_status fail(char *err, nope_status status, const char *flag, const char *value, const char *why)
{
    return nope_flag_refuse(err, NOPE_CLI_ERR_MAX, status, flag, value, why);
}

static nope_status parse_uint(const char *flag, const char *value, uint64_t lo, uint64_t hi, const char *cap_name,
                              uint32_t *out, char *err)
{
    uint64_t v;
    nope_status st = nope_flag_uint(flag, value, lo, hi, cap_name, &v, err, NOPE_CLI_ERR_MAX);
    if (st == NOPE_OK)
        *out = (uint32_t)v; /* hi is a uint32_t capacity */
    return st;
}

static nope_status parse_decimal(const char *flag, const char *value, const char *lo, const char *hi, nope_dec *out,
                                 char *err)
{
    return nope_flag_decimal(flag, value, lo, hi, out, err, NOPE_CLI_ERR_MAX);
}

/* "k/K", whole numbers with 1 <= k <= K <= NOPE_MAX_TRIALS (K <= --trials is checked once all
 * flags are read). */
static nope_status parse_shard(const char *flag, const char *value, nope_config *c, char *err)
{
    static const char *const rule = "not a shard; allowed k/K, whole numbers with 1 <= k <= K <= --trials";
    char part[24];
    size_t slash = 0;
    while (value[slash] && value[slash] != '/')
        slash++;
    if (value[slash] != '/' || slash == 0 || slash >= sizeof part)
        return fail(err, NOPE_ERR_ARG, flag, value, rule);
    for (size_t i = 0; i < slash; i++)
        part[i] = value[i];
    part[slash] = '\0';
    uint64_t k, count;
    if (nope_dec_parse_u64(part, &k) != NOPE_OK || nope_dec_parse_u64(value + slash + 1, &count) != NOPE_OK || k < 1 ||
        k > count || count > NOPE_MAX_TRIALS)
        return fail(err, NOPE_ERR_ARG, flag, value, rule);
    c->shard = (uint32_t)k;
    c->shards = (uint32_t)count;
    return NOPE_OK;
}

/* "--flag=value" splits into flag and value; returns the length of the flag part. */
static size_t flag_length(const char *arg)
{
    size_t n = 0;
    while (arg[n] && arg[n] != '=')
        n++;
    return n;
}

/* The NOPE_GIVEN_* bit of a flag (0 for flags a trained model's shape does not fix). */
static uint32_t given_bit(const char *flag)
{
    static const struct {
        const char *flag;
        uint32_t bit;
    } bits[] = {{"--d", NOPE_GIVEN_D},           {"--heads", NOPE_GIVEN_HEADS},
                {"--layers", NOPE_GIVEN_LAYERS}, {"--ffn", NOPE_GIVEN_FFN},
                {"--seq", NOPE_GIVEN_SEQ},       {"--vocab", NOPE_GIVEN_VOCAB},
                {"--eps", NOPE_GIVEN_EPS},       {"--act", NOPE_GIVEN_ACT},
                {"--sigma", NOPE_GIVEN_SIGMA},   {"--sigma-in", NOPE_GIVEN_SIGMA_IN},
                {"--input", NOPE_GIVEN_INPUT}};
    for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++)
        if (nope_flag_same(flag, bits[k].flag))
            return bits[k].bit;
    return 0;
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
        if (n == 0 && arg[0] == '=')
            return fail(err, NOPE_ERR_USAGE, arg, NULL, "no flag name before '=' (see --help)");
        if (n == 0)
            return fail(err, NOPE_ERR_USAGE, arg, NULL, "an empty argument where a flag was expected (see --help)");
        if (n >= sizeof flag)
            return fail(err, NOPE_ERR_USAGE, arg, NULL, "unknown flag (see --help)");
        for (size_t i = 0; i < n; i++)
            flag[i] = arg[i];
        flag[n] = '\0';
        if (nope_flag_same(flag, "--help") || nope_flag_same(flag, "-h"))
            return NOPE_HELP;
        if (arg[n] == '=')
            value = arg + n + 1;
        else if (k + 1 < argc)
            value = argv[++k];
        nope_status st;
        if (!(nope_flag_same(flag, "--d") || nope_flag_same(flag, "--heads") || nope_flag_same(flag, "--layers") ||
              nope_flag_same(flag, "--ffn") || nope_flag_same(flag, "--seq") || nope_flag_same(flag, "--vocab") ||
              nope_flag_same(flag, "--trials") || nope_flag_same(flag, "--sigma") ||
              nope_flag_same(flag, "--sigma-in") || nope_flag_same(flag, "--eps") || nope_flag_same(flag, "--act") ||
              nope_flag_same(flag, "--input") || nope_flag_same(flag, "--seed") || nope_flag_same(flag, "--shard") ||
              nope_flag_same(flag, "--threads") || nope_flag_same(flag, "--model") || nope_flag_same(flag, "--text")))
            return fail(err, NOPE_ERR_USAGE, arg, NULL, "unknown flag (see --help)");
        if (value == NULL)
            return fail(err, NOPE_ERR_USAGE, flag, NULL, "needs a value (see --help)");
        c.given |= given_bit(flag);
        if (nope_flag_same(flag, "--model") || nope_flag_same(flag, "--text")) {
            st = NOPE_OK; /* a file's name: the program reads it, nope/trained.h checks it */
            if (value[0] == '\0')
                st = fail(err, NOPE_ERR_ARG, flag, value, "an empty file name");
            else if (nope_flag_same(flag, "--model"))
                c.model = value;
            else
                c.text = value;
        } else if (nope_flag_same(flag, "--d"))
            st = parse_uint(flag, value, 2, NOPE_MAX_D, "NOPE_MAX_D", &c.d, err);
        else if (nope_flag_same(flag, "--heads"))
            st = parse_uint(flag, value, 1, NOPE_MAX_HEADS, "NOPE_MAX_HEADS", &c.heads, err);
        else if (nope_flag_same(flag, "--layers"))
            st = parse_uint(flag, value, 1, NOPE_MAX_LAYERS, "NOPE_MAX_LAYERS", &c.layers, err);
        else if (nope_flag_same(flag, "--ffn")) {
            st = parse_uint(flag, value, 1, NOPE_MAX_FFN, "NOPE_MAX_FFN", &c.ffn, err);
            ffn_given = true;
        } else if (nope_flag_same(flag, "--seq"))
            st = parse_uint(flag, value, 2, NOPE_MAX_SEQ, "NOPE_MAX_SEQ", &c.seq, err);
        else if (nope_flag_same(flag, "--vocab"))
            st = parse_uint(flag, value, 1, NOPE_MAX_VOCAB, "NOPE_MAX_VOCAB", &c.vocab, err);
        else if (nope_flag_same(flag, "--trials"))
            st = parse_uint(flag, value, 2, NOPE_MAX_TRIALS, "NOPE_MAX_TRIALS", &c.trials, err);
        /* sigma <= 2 keeps every drawn value below 16 in magnitude, exact in float32. */
        else if (nope_flag_same(flag, "--sigma"))
            st = parse_decimal(flag, value, "0.0001", "2", &c.sigma, err);
        else if (nope_flag_same(flag, "--sigma-in"))
            st = parse_decimal(flag, value, "0.0001", "2", &c.sigma_in, err);
        else if (nope_flag_same(flag, "--eps"))
            st = parse_decimal(flag, value, "0.000000000001", "1", &c.eps, err);
        else if (nope_flag_same(flag, "--act")) {
            st = NOPE_OK;
            if (nope_act_parse(value, &c.act) != NOPE_OK)
                st = fail(err, NOPE_ERR_ARG, flag, value, "unknown activation; allowed relu, gelu");
        } else if (nope_flag_same(flag, "--input")) {
            st = NOPE_OK;
            if (nope_input_parse(value, &c.input) != NOPE_OK)
                st = fail(err, NOPE_ERR_ARG, flag, value, "unknown input; allowed gaussian, tokens");
        } else if (nope_flag_same(flag, "--shard")) {
            st = parse_shard(flag, value, &c, err);
        } else if (nope_flag_same(flag, "--threads")) {
            /* More workers than cores is legal (the bytes are the same), only slower. */
            st = parse_uint(flag, value, 1, NOPE_MAX_THREADS, "NOPE_MAX_THREADS", &c.threads, err);
        } else { /* --seed */
            st = NOPE_OK;
            c.seed_random = nope_flag_same(value, "random");
            nope_dec_why why = c.seed_random ? NOPE_DEC_PARSED : nope_dec_parse_u64_reason(value, &c.seed);
            if (why != NOPE_DEC_PARSED)
                st = fail(err, NOPE_ERR_ARG, flag, value,
                          why == NOPE_DEC_TOO_LARGE
                              ? "too large for a seed; allowed a whole number 0..18446744073709551615 or 'random'"
                              : "not a seed; allowed a whole number 0..18446744073709551615 or 'random'");
        }
        if (st != NOPE_OK)
            return st;
    }
    if ((c.model != NULL) != (c.text != NULL))
        return fail(err, NOPE_ERR_USAGE, c.model ? "--model" : "--text", NULL,
                    "needs its partner: a trained model runs on text, --model FILE --text FILE");
    if (c.model != NULL) {
        /* The model fixes the shape (nope/trained.h compares the flags given with it). */
        if (c.shards > 0)
            return fail(err, NOPE_ERR_ARG, "--shard", NULL, "not with --model yet: run the trials in one process");
        *cfg = c;
        return NOPE_OK;
    }
    if (!ffn_given) {
        c.ffn = 4 * c.d;
        if (c.ffn > NOPE_MAX_FFN) {
            nope_msg m = nope_msg_start(err, NOPE_CLI_ERR_MAX);
            nope_msg_say(&m, "--ffn (default 4*d = ");
            nope_msg_u64(&m, c.ffn);
            nope_msg_say(&m, "): over this build's capacity NOPE_MAX_FFN=" STR(NOPE_MAX_FFN) "; pass --ffn");
            return NOPE_ERR_CAPACITY;
        }
    }
    if (c.d % c.heads != 0) {
        nope_msg m = nope_msg_start(err, NOPE_CLI_ERR_MAX);
        nope_msg_say(&m, "--heads ");
        nope_msg_u64(&m, c.heads);
        nope_msg_say(&m, ": must divide --d ");
        nope_msg_u64(&m, c.d);
        return NOPE_ERR_ARG;
    }
    if (c.d / c.heads > NOPE_MAX_HEAD_DIM) {
        nope_msg m = nope_msg_start(err, NOPE_CLI_ERR_MAX);
        nope_msg_say(&m, "--heads ");
        nope_msg_u64(&m, c.heads);
        nope_msg_say(&m, ": head width d/heads = ");
        nope_msg_u64(&m, c.d / c.heads);
        nope_msg_say(&m, " is over this build's capacity NOPE_MAX_HEAD_DIM=" STR(NOPE_MAX_HEAD_DIM) "; use more heads");
        return NOPE_ERR_CAPACITY;
    }
    if (c.shards > 0 && c.seed_random)
        return fail(err, NOPE_ERR_ARG, "--seed", "random",
                    "not with --shard: each shard would draw its own seed; give every shard the same --seed N");
    if (c.shards > c.trials) {
        nope_msg m = nope_msg_start(err, NOPE_CLI_ERR_MAX);
        nope_msg_say(&m, "--shard ");
        nope_msg_u64(&m, c.shard);
        nope_msg_say(&m, "/");
        nope_msg_u64(&m, c.shards);
        nope_msg_say(&m, ": more shards than --trials ");
        nope_msg_u64(&m, c.trials);
        nope_msg_say(&m, "; every shard needs a trial");
        return NOPE_ERR_ARG;
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
    // clang-format off
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
           "  --shard k/K      run only shard k of K of these trials and print a partial to merge\n"
           "                   (on a host: nope merge PART... prints the report of the whole run)\n"
           "  --threads N      workers for one run (1.." STR(NOPE_MAX_THREADS) ", default every core; the report\n"
           "                   is the same at any N)\n"
           "  --model FILE --text FILE   the same report for a trained model (docs/model-format.md) on\n"
           "                   windows of held-out text (the shape comes from the model; flags that\n"
           "                   disagree with it are refused; --seq may shorten the windows)\n"
           "  --help           this text\n";
    // clang-format on
}
