/* What every fuzz harness shares: a reader that turns the fuzzer's bytes into typed values
 * (zeros once the bytes run out, so every input is valid), an oracle check that prints the
 * case and aborts (libFuzzer and AFL++ both record an abort as a crash), and float spacing.
 *
 * The harnesses are hosted C (libm, long double references); the core they test is compiled
 * freestanding, exactly as on a board. Each harness defines LLVMFuzzerTestOneInput; the AFL++
 * build links the same function with AFL++'s driver. */
#ifndef NOPE_FUZZ_UTIL_H
#define NOPE_FUZZ_UTIL_H

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nope/experiment.h"
#include "nope/kernels.h"

#define FUZZ_FAIL(...)                                                          \
    do {                                                                        \
        fprintf(stderr, "\nFUZZ ORACLE FAILURE (%s:%d): ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__);                                           \
        fputc('\n', stderr);                                                    \
        abort();                                                                \
    } while (0)

#define FUZZ_CHECK(cond, ...)       \
    do {                            \
        if (!(cond))                \
            FUZZ_FAIL(__VA_ARGS__); \
    } while (0)

/* Open findings: defects these harnesses found in core/ that are reported and not fixed yet,
 * each with its input in tests/fuzz/findings/. A normal build checks the documented behaviour
 * and so reports them; the self-test builds with -D FUZZ_TOLERATE_OPEN_FINDINGS, where
 * FUZZ_OPEN_FINDING(cond) excuses exactly the cases `cond` describes, to show that each
 * planted bug is caught on top of them. */
#ifdef FUZZ_TOLERATE_OPEN_FINDINGS
#define FUZZ_OPEN_FINDING(cond) (cond)
#else
#define FUZZ_OPEN_FINDING(cond) (0 && (cond))
#endif

/* On a harness's own bulk loops (filling long inputs from the bytes, the reference): no
 * coverage callbacks there (ASan and UBSan still check them). A callback per byte read or per
 * iteration costs more than the loop itself, and what it would count, the shape once again,
 * tells the fuzzer nothing the kernel's own coverage does not. noinline: inlined, the code
 * would be instrumented as part of its caller. */
#define FUZZ_NO_COVERAGE __attribute__((noinline, no_sanitize("coverage")))
/* The readers a bulk loop calls per element: always inlined, so that they are instrumented as
 * part of their caller, which a FUZZ_NO_COVERAGE one is not. */
#define FUZZ_READER __attribute__((always_inline)) static inline

typedef struct {
    const uint8_t *p;
    size_t n;
} fuzz_in;

FUZZ_READER uint8_t take_u8(fuzz_in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint32_t take_u32(fuzz_in *in)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v |= (uint32_t)take_u8(in) << (8 * k);
    return v;
}

static inline uint64_t take_u64(fuzz_in *in)
{
    uint64_t lo = take_u32(in);
    return lo | (uint64_t)take_u32(in) << 32;
}

/* The bytes left, read round and round, so a vector far longer than the input still gets
 * values (runs and repeats included): NULL when fewer than `need` bytes are left at all.
 *     fuzz_cycle cyc = {in, in};  fuzz_in *src = fuzz_cycle_next(&cyc, 3);  */
typedef struct {
    fuzz_in all, cur;
} fuzz_cycle;

FUZZ_READER fuzz_in *fuzz_cycle_next(fuzz_cycle *c, size_t need)
{
    if (c->all.n < need)
        return NULL;
    if (c->cur.n < need)
        c->cur = c->all;
    return &c->cur;
}

/* An integer in [lo, hi]. */
static inline size_t take_range(fuzz_in *in, size_t lo, size_t hi)
{
    uint32_t v = take_u8(in);
    v |= (uint32_t)take_u8(in) << 8;
    return lo + v % (hi - lo + 1);
}

/* A size in [1, max], at most `small` unless the input asks for a large one (a low byte of 0
 * mod 8: one random input in 8). What a large shape costs grows with its area, so most inputs
 * stay small and quick while every size up to max, tile crossings included, stays reachable. */
static inline size_t take_size(fuzz_in *in, size_t small, size_t max)
{
    bool large = (take_u8(in) & 7) == 0;
    return take_range(in, 1, large ? max : small);
}

/* A product rows x n_in -> n_out (rows 1..3, n_in 1..80, n_out 1..272), each dimension small
 * unless the input asks for a large one, with rows n_in n_out at most 65 x 257: one row past
 * both of the kernels' tiles (64 rows of W, 256 columns), or more rows past one of them. Each
 * product draws all n_in n_out weights, most of the time per input, and its work grows with
 * rows n_in n_out. */
static inline void take_matmul_shape(fuzz_in *in, size_t *rows, size_t *n_in, size_t *n_out)
{
    const size_t most = 65 * 257;
    *rows = take_range(in, 1, 3);
    *n_in = take_size(in, 16, 80);
    size_t wide = most / (*rows * *n_in);
    *n_out = take_size(in, 32, wide < 272 ? wide : 272);
}

/* A weight-buffer size for a product (n_in, n_out) other than the whole matrix: one row, rows
 * and part of one, less than a row (the product goes in strips of columns), or one value. */
static inline size_t take_wbuf_cap(fuzz_in *in, size_t n_in, size_t n_out)
{
    switch (take_u8(in) % 4) {
    case 0: return n_out;
    case 1: {
        size_t whole = take_range(in, 1, n_in);
        return n_out * whole + take_range(in, 0, n_out - 1);
    }
    case 2: return take_range(in, 1, n_out);
    default: return 1;
    }
}

/* The stream element that W[i][j] is (kernels.h), written out here rather than taken from the
 * kernel's own nope_weights_element, so that the reference does not share its mistakes. */
static inline uint64_t fuzz_weight_element(const nope_weights *w, size_t n_out, size_t i, size_t j)
{
    return (uint64_t)i * (w->row_stride ? w->row_stride : n_out) + w->col0 + j;
}

/* A drawn weight matrix for a product with n_out columns: any stream, sigma up to 2, and half
 * the time a strip of columns of a wider matrix (one head's: col0 and row_stride set). The
 * bytes are read one statement at a time (an argument list's order is unspecified). */
static inline nope_weights take_weights(fuzz_in *in, size_t n_out)
{
    uint64_t seed = take_u64(in);
    uint32_t trial = take_u32(in), index = take_u8(in);
    nope_weights w = {.stream = nope_rng_stream_make(seed, trial, NOPE_RNG_TAG_WEIGHT, index)};
    w.scale_q = (uint32_t)take_range(in, 1, 1u << 16) << 9;
    if (take_u8(in) & 1) {
        w.col0 = (uint32_t)take_range(in, 0, 200);
        w.row_stride = (uint32_t)(w.col0 + n_out + take_range(in, 0, 100));
    }
    return w;
}

/* One head's attention: width dh (1..64) and n_keys (1..300), each small unless the input asks
 * for a large one, with dh n_keys at most 2048 (32 keys of 64, 128 of 16, 300 of 6): the time
 * per input grows with it, and the loops reach long trip counts within it. Keys and values at a stride of
 * dh + 0..16; every buffer allocated to its exact size, so ASan sees a read past one. */
typedef struct {
    size_t dh, n_keys, stride, len;
    nope_num_t *q, *keys, *values, *o, *scores;
} fuzz_attend;

static inline fuzz_attend take_attend(fuzz_in *in)
{
    fuzz_attend a;
    a.dh = take_size(in, 16, 64);
    a.n_keys = take_size(in, 32, 2048 / a.dh < 300 ? 2048 / a.dh : 300);
    a.stride = a.dh + take_range(in, 0, 16);
    a.len = (a.n_keys - 1) * a.stride + a.dh;
    a.q = malloc(a.dh * sizeof *a.q);
    a.keys = malloc(a.len * sizeof *a.keys);
    a.values = malloc(a.len * sizeof *a.values);
    a.o = malloc(a.dh * sizeof *a.o);
    a.scores = malloc(a.n_keys * sizeof *a.scores);
    return a;
}

static inline void fuzz_attend_free(fuzz_attend *a)
{
    free(a->q);
    free(a->keys);
    free(a->values);
    free(a->o);
    free(a->scores);
}

/* The kernel parameters of the default configuration with 1..4 heads of width dh. */
static inline const nope_kern_params *take_attend_params(fuzz_in *in, size_t dh)
{
    nope_config cfg;
    nope_experiment_defaults(&cfg);
    cfg.heads = (uint32_t)take_range(in, 1, 4);
    cfg.d = (uint32_t)(dh * cfg.heads);
    return nope_kern_params_init(&cfg);
}

static inline float f32_of_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline uint32_t bits_of_f32(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static inline double f64_of_bits(uint64_t u)
{
    double f;
    memcpy(&f, &u, 8);
    return f;
}

static inline uint64_t bits_of_f64(double f)
{
    uint64_t u;
    memcpy(&u, &f, 8);
    return u;
}

/* A float of moderate size: a signed 16-bit integer times 2^(shift - 15), shift in
 * [lo_exp, hi_exp]: what activations look like, with every exponent in between reachable. */
FUZZ_READER float take_moderate_f32(fuzz_in *in, int lo_exp, int hi_exp)
{
    uint16_t bits = take_u8(in);
    bits |= (uint16_t)(take_u8(in) << 8);
    int16_t m = (int16_t)bits;
    int shift = lo_exp + (int)(take_u8(in) % (unsigned)(hi_exp - lo_exp + 1));
    return (float)ldexp((double)m, shift - 15);
}

/* The spacing of floats at |x|, subnormals included. */
static inline double f32_ulp(double x)
{
    x = fabs(x);
    if (x < 0x1p-126)
        return 0x1p-149;
    int e;
    frexp(x, &e);
    return ldexp(1.0, e - 24);
}

/* The spacing of doubles at |x|, subnormals included. */
static inline long double f64_ulp(long double x)
{
    x = fabsl(x);
    if (x < 0x1p-1022L)
        return 0x1p-1074L;
    int e;
    frexpl(x, &e);
    return ldexpl(1.0L, e - 53);
}

#endif
