/* nope_cli_parse on an argv built from the fuzzer's bytes (split at NUL bytes, up to 24
 * arguments): never crashes, never reads past an argument, and
 *   - returns NOPE_OK, NOPE_HELP, or an error status with a one-line message (non-empty, no
 *     newline or other control character, shorter than NOPE_CLI_ERR_MAX) that begins with the
 *     flag it is about: the flag part of an argument given ('' for an empty one, bytes under
 *     0x20 or from 0x7f up shown as '?', at most NOPE_FLAG_ECHO_MAX of them), or --ffn / --heads
 *     for the checks made after all flags;
 *   - on NOPE_OK the configuration is within this build's capacity and the documented ranges,
 *     heads divides d, ffn is 4 d unless given, and sigma_q / sigma_in_q are the decimals
 *     rounded to 2^-24 (nope_dec_to_ufix); a shard k/K has 1 <= k <= K <= trials and a fixed seed.
 * Every argument is its own heap block, so ASan sees any read past its NUL. */
#include "fuzz_util.h"

#include "nope/cli.h"
#include "nope/decimal.h"

enum { MAX_ARGS = 24 };

static bool dec_in(const nope_dec *v, const char *lo, const char *hi)
{
    nope_dec a, b;
    nope_dec_parse(lo, &a);
    nope_dec_parse(hi, &b);
    return v->special == NOPE_DEC_FINITE && nope_dec_cmp(v, &a) >= 0 && nope_dec_cmp(v, &b) <= 0;
}

/* Whether err begins with the first n bytes of arg as the message shows them (cli.c prints
 * bytes under 0x20 and from 0x7f up as '?'). */
static bool starts_with_shown(const char *err, const char *arg, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)arg[k];
        if (err[k] != ((c < 0x20 || c >= 0x7F) ? '?' : (char)c))
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *args[MAX_ARGS];
    int argc = 0;
    size_t start = 0;
    for (size_t k = 0; k <= size && argc < MAX_ARGS; k++) {
        if (k == size || data[k] == 0) {
            if (k == size && k == start && argc > 0)
                break;
            args[argc] = malloc(k - start + 1);
            memcpy(args[argc], data + start, k - start);
            args[argc][k - start] = '\0';
            argc++;
            start = k + 1;
        }
    }
    nope_config cfg;
    char *err = malloc(NOPE_CLI_ERR_MAX);
    memset(err, 'x', NOPE_CLI_ERR_MAX);
    nope_status st = nope_cli_parse(argc, (const char *const *)args, &cfg, err);
    bool flag_seen = false;
    for (int k = 0; k < argc; k++)
        flag_seen |= strcmp(args[k], "--ffn") == 0 || strncmp(args[k], "--ffn=", 6) == 0;
    if (st == NOPE_OK) {
        FUZZ_CHECK(cfg.d >= 2 && cfg.d <= NOPE_MAX_D, "d = %u", (unsigned)cfg.d);
        FUZZ_CHECK(cfg.heads >= 1 && cfg.heads <= NOPE_MAX_HEADS && cfg.d % cfg.heads == 0, "heads = %u, d = %u",
                   (unsigned)cfg.heads, (unsigned)cfg.d);
        FUZZ_CHECK(cfg.layers >= 1 && cfg.layers <= NOPE_MAX_LAYERS, "layers = %u", (unsigned)cfg.layers);
        FUZZ_CHECK(cfg.ffn >= 1 && cfg.ffn <= NOPE_MAX_FFN, "ffn = %u", (unsigned)cfg.ffn);
        FUZZ_CHECK(flag_seen || cfg.ffn == 4 * cfg.d, "ffn = %u without --ffn, d = %u", (unsigned)cfg.ffn,
                   (unsigned)cfg.d);
        FUZZ_CHECK(cfg.seq >= 2 && cfg.seq <= NOPE_MAX_SEQ, "seq = %u", (unsigned)cfg.seq);
        FUZZ_CHECK(cfg.vocab >= 1 && cfg.vocab <= NOPE_MAX_VOCAB, "vocab = %u", (unsigned)cfg.vocab);
        FUZZ_CHECK(cfg.trials >= 2 && cfg.trials <= NOPE_MAX_TRIALS, "trials = %u", (unsigned)cfg.trials);
        FUZZ_CHECK(dec_in(&cfg.sigma, "0.0001", "2") && dec_in(&cfg.sigma_in, "0.0001", "2") &&
                       dec_in(&cfg.eps, "1e-12", "1"),
                   "sigma / sigma-in / eps out of range");
        uint64_t q, q_in;
        FUZZ_CHECK(nope_dec_to_ufix(&cfg.sigma, NOPE_SCALE_FRAC_BITS, &q) && q == cfg.sigma_q &&
                       nope_dec_to_ufix(&cfg.sigma_in, NOPE_SCALE_FRAC_BITS, &q_in) && q_in == cfg.sigma_in_q,
                   "sigma_q %u / sigma_in_q %u not the decimals at 2^-24", (unsigned)cfg.sigma_q,
                   (unsigned)cfg.sigma_in_q);
        FUZZ_CHECK(cfg.act == NOPE_ACT_RELU || cfg.act == NOPE_ACT_GELU, "act = %d", (int)cfg.act);
        FUZZ_CHECK(cfg.input == NOPE_INPUT_GAUSSIAN || cfg.input == NOPE_INPUT_TOKENS, "input = %d", (int)cfg.input);
        FUZZ_CHECK(cfg.shards == 0 ||
                       (cfg.shard >= 1 && cfg.shard <= cfg.shards && cfg.shards <= cfg.trials && !cfg.seed_random),
                   "shard %u/%u of %u trials, seed_random %d", (unsigned)cfg.shard, (unsigned)cfg.shards,
                   (unsigned)cfg.trials, (int)cfg.seed_random);
    } else if (st != NOPE_HELP) {
        FUZZ_CHECK(st == NOPE_ERR_ARG || st == NOPE_ERR_CAPACITY || st == NOPE_ERR_USAGE, "status %d", (int)st);
        const char *nul = memchr(err, 0, NOPE_CLI_ERR_MAX);
        size_t len = nul ? (size_t)(nul - err) : NOPE_CLI_ERR_MAX;
        /* shorter than the buffer's last byte, too: a message that reached it may have lost its
         * end, which says what is allowed */
        FUZZ_CHECK(len > 0 && len < NOPE_CLI_ERR_MAX - 1, "status %d with an error message of length %zu", (int)st,
                   len);
        for (size_t k = 0; k < len; k++)
            FUZZ_CHECK((unsigned char)err[k] >= 0x20 && (unsigned char)err[k] < 0x7F,
                       "status %d: error message has unprintable byte 0x%02x at %zu: \"%s\"", (int)st,
                       (unsigned char)err[k], k, err);
        bool named = !strncmp(err, "--ffn", 5) || !strncmp(err, "--heads", 7);
        for (int k = 0; k < argc && !named; k++) {
            /* the flag part of the argument, or for an unknown flag the whole argument; a long
             * one is shown shortened */
            size_t flag_len = strcspn(args[k], "="), arg_len = strlen(args[k]);
            flag_len = flag_len > NOPE_FLAG_ECHO_MAX ? NOPE_FLAG_ECHO_MAX : flag_len;
            arg_len = arg_len > NOPE_FLAG_ECHO_MAX ? NOPE_FLAG_ECHO_MAX : arg_len;
            named = (flag_len > 0 && starts_with_shown(err, args[k], flag_len)) ||
                    (arg_len > 0 && starts_with_shown(err, args[k], arg_len)) ||
                    (flag_len == 0 && !strncmp(err, "''", 2)); /* an empty flag, shown as '' */
        }
        FUZZ_CHECK(named, "status %d: error message \"%s\" does not begin with a flag given", (int)st, err);
    }
    for (int k = 0; k < argc; k++)
        free(args[k]);
    free(err);
    return 0;
}
