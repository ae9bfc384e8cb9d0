/* The one place for build-time choices (numeric mode, capacities) and the run-time
 * configuration they bound. Everything here can be overridden with -D from the Makefile or a
 * board's board.mk; values that make no sense stop the build with an #error that says why. */
#ifndef NOPE_CONFIG_H
#define NOPE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Numeric mode: one value, compared with #if (compile with -Wundef to catch typos) ---- */
#define NOPE_NUM_F32 1
#define NOPE_NUM_FIXED 2
#ifndef NOPE_NUM
#define NOPE_NUM NOPE_NUM_F32
#endif
#if NOPE_NUM != NOPE_NUM_F32 && NOPE_NUM != NOPE_NUM_FIXED
#error "NOPE_NUM must be NOPE_NUM_F32 or NOPE_NUM_FIXED (make NUM=f32 or make NUM=fixed)"
#endif

/* ---- Capacities: static buffers are sized by these; run-time dimensions are checked
 * against them before anything runs. The defaults admit the paper's scale on a host
 * (d=768, heads=12, layers=12, ffn=3072, seq=512); boards set their own in board.mk. ---- */
#ifndef NOPE_MAX_D
#define NOPE_MAX_D 1024
#endif
#ifndef NOPE_MAX_HEADS
#define NOPE_MAX_HEADS 64
#endif
#ifndef NOPE_MAX_LAYERS
#define NOPE_MAX_LAYERS 48
#endif
#ifndef NOPE_MAX_FFN
#define NOPE_MAX_FFN 4096
#endif
#ifndef NOPE_MAX_SEQ
#define NOPE_MAX_SEQ 1024
#endif
/* Token embeddings are drawn per token id on demand, so the vocabulary costs no memory. */
#ifndef NOPE_MAX_VOCAB
#define NOPE_MAX_VOCAB 16777216
#endif
#ifndef NOPE_MAX_TRIALS
#define NOPE_MAX_TRIALS 1000000
#endif
/* Positions computed together in one block. Weights are drawn once per block, so a block of
 * the whole sequence draws each weight once per trial (host); a block of 1 keeps the
 * activations of a single position (a 16 KB micro:bit). The report does not depend on it. */
#ifndef NOPE_BLOCK_POS
#define NOPE_BLOCK_POS NOPE_MAX_SEQ
#endif
/* Weights are drawn into a buffer of this many values, as many whole rows as fit (or strips of
 * a row). The host holds a whole d x ffn matrix; a small board a few dozen values. The report
 * does not depend on it. */
#ifndef NOPE_WEIGHT_BUF
#define NOPE_WEIGHT_BUF (NOPE_MAX_D * NOPE_MAX_FFN)
#endif

/* Where memory is tightest, keys and values can be made again for each block of queries instead
 * of being stored for the whole sequence: two (seq, d) buffers less, more key-value work (the
 * smaller the block, the more). Same report. Each block of NOPE_BLOCK_POS queries then makes one
 * head's keys and values at a time (the width of one head is a capacity), for NOPE_KV_ROWS
 * positions at a time (each of Wk's and Wv's strips for the head is drawn once per NOPE_KV_ROWS
 * positions); and the FFN runs, once every position has had its attention, NOPE_FFN_ROWS
 * positions at a time (W1 and W2 drawn once per NOPE_FFN_ROWS positions). The three trade memory
 * for draws and products; see model.c for the buffers each sizes. */
#ifndef NOPE_KV_RECOMPUTE
#define NOPE_KV_RECOMPUTE 0
#endif
#ifndef NOPE_MAX_HEAD_DIM
#define NOPE_MAX_HEAD_DIM NOPE_MAX_D
#endif
#if !NOPE_KV_RECOMPUTE && (defined(NOPE_KV_ROWS) || defined(NOPE_FFN_ROWS))
#error "NOPE_KV_ROWS and NOPE_FFN_ROWS size the NOPE_KV_RECOMPUTE=1 schedule only"
#endif
#ifndef NOPE_KV_ROWS
#define NOPE_KV_ROWS NOPE_BLOCK_POS
#endif
#ifndef NOPE_FFN_ROWS
#define NOPE_FFN_ROWS NOPE_BLOCK_POS
#endif

#if NOPE_MAX_D < 2 || NOPE_MAX_SEQ < 2 || NOPE_MAX_HEADS < 1 || NOPE_MAX_LAYERS < 1 || NOPE_MAX_FFN < 1
#error "capacities too small: need NOPE_MAX_D >= 2, NOPE_MAX_SEQ >= 2 and the rest >= 1"
#endif
#if NOPE_BLOCK_POS < 1 || NOPE_BLOCK_POS > NOPE_MAX_SEQ
#error "NOPE_BLOCK_POS must be between 1 and NOPE_MAX_SEQ"
#endif
#if NOPE_WEIGHT_BUF < 1
#error "NOPE_WEIGHT_BUF must hold at least one weight"
#endif
#if NOPE_KV_ROWS < 1 || NOPE_KV_ROWS > NOPE_MAX_SEQ || NOPE_FFN_ROWS < 1 || NOPE_FFN_ROWS > NOPE_MAX_SEQ
#error "NOPE_KV_ROWS and NOPE_FFN_ROWS must be between 1 and NOPE_MAX_SEQ"
#endif
#if NOPE_MAX_HEAD_DIM < 1 || NOPE_MAX_HEAD_DIM > NOPE_MAX_D
#error "NOPE_MAX_HEAD_DIM must be between 1 and NOPE_MAX_D"
#endif

/* Workers a run may split its products and attention over (--threads N): the per-worker scratch
 * (a score row each) is sized by it. A host may have many cores; a board has one, and
 * mk/boards.mk sets 1 unless the board's capacities say otherwise. The report does not depend
 * on it, nor on how many workers run. */
#ifndef NOPE_MAX_THREADS
#define NOPE_MAX_THREADS 64
#endif
#if NOPE_MAX_THREADS < 1
#error "NOPE_MAX_THREADS must be at least 1"
#endif

/* Drawn weights and inputs are integers times 2^-NOPE_DRAW_FRAC_BITS, so they are exact in
 * float32 (|value| < 16) and in a fixed-point format with at least this many fraction bits:
 * both numeric modes see the very same model. */
#define NOPE_DRAW_FRAC_BITS 20
/* sigma and sigma_in are held as integers times 2^-NOPE_SCALE_FRAC_BITS. */
#define NOPE_SCALE_FRAC_BITS 24

/* ---- Status: returned, never signalled in-band ---- */
typedef enum {
    NOPE_OK = 0,
    NOPE_ERR_ARG = -1,      /* a value that does not parse, or out of its range */
    NOPE_ERR_CAPACITY = -2, /* a dimension over what this build was compiled for */
    NOPE_ERR_USAGE = -3,    /* an unknown flag or a flag without its value */
    NOPE_HELP = 1           /* --help: not an error, but do not run */
} nope_status;

/* Closed sets: code that depends on one is a switch without default, so that -Wswitch (in
 * -Wall) finds every place a new value must be handled. Values run 0, 1, ... */
typedef enum { NOPE_ACT_RELU = 0, NOPE_ACT_GELU = 1 } nope_act;
typedef enum { NOPE_INPUT_GAUSSIAN = 0, NOPE_INPUT_TOKENS = 1 } nope_input;

/* A decimal number exactly as the user wrote it: (-1)^neg * digits * 10^exp10. Keeping the
 * decimal lets each numeric mode round it once, its own way, and the report print it back. */
typedef struct {
    uint64_t digits;
    int32_t exp10;
    bool neg;
    uint8_t special; /* NOPE_DEC_FINITE, or an infinity or NaN met in a result */
} nope_dec;
enum { NOPE_DEC_FINITE = 0, NOPE_DEC_INF = 1, NOPE_DEC_NAN = 2 };

/* The run-time configuration: every flag of the program, already range-checked. */
typedef struct {
    uint32_t d, heads, layers, ffn, seq, vocab, trials;
    nope_dec sigma, sigma_in, eps;
    uint32_t sigma_q, sigma_in_q; /* sigma * 2^NOPE_SCALE_FRAC_BITS, rounded to nearest */
    nope_act act;
    nope_input input;
    uint64_t seed;
    bool seed_random; /* the caller must fill .seed from its entropy source */
    /* --shard k/K: run only shard k (1-based) of K and write a partial (nope/partial.h) instead
     * of the report; shards 0 for the whole run. Not part of the configuration a report names. */
    uint32_t shard, shards;
    /* --threads N: workers for the products and attention, 0 for the platform's cores (the
     * program decides). Not part of the configuration a report names: the bytes are the same. */
    uint32_t threads;
    /* --model FILE and --text FILE: the experiment on a trained model (nope/trained.h) instead of
     * the random one; NULL when not given. Names only: the program reads the files. */
    const char *model, *text;
    /* The NOPE_GIVEN_* bits of the flags given, which a model's shape must then agree with. */
    uint32_t given;
} nope_config;
enum {
    NOPE_GIVEN_D = 1u << 0,
    NOPE_GIVEN_HEADS = 1u << 1,
    NOPE_GIVEN_LAYERS = 1u << 2,
    NOPE_GIVEN_FFN = 1u << 3,
    NOPE_GIVEN_SEQ = 1u << 4,
    NOPE_GIVEN_VOCAB = 1u << 5,
    NOPE_GIVEN_EPS = 1u << 6,
    NOPE_GIVEN_ACT = 1u << 7,
    NOPE_GIVEN_SIGMA = 1u << 8,
    NOPE_GIVEN_SIGMA_IN = 1u << 9,
    NOPE_GIVEN_INPUT = 1u << 10
};

/* Each value's one name, as the CLI reads it and the report prints it (config.c); NULL for a
 * value outside the set. */
const char *nope_act_name(nope_act act);
const char *nope_input_name(nope_input input);

/* *out = the value named text: NOPE_OK, or NOPE_ERR_ARG (and *out untouched) for no such name. */
nope_status nope_act_parse(const char *text, nope_act *out);
nope_status nope_input_parse(const char *text, nope_input *out);

/* The scale of the input vectors, times 2^NOPE_SCALE_FRAC_BITS: sigma_in for gaussian inputs,
 * sigma for token embeddings. */
uint32_t nope_config_input_scale_q(const nope_config *cfg);

#endif
