/* Per-kernel instruction profile for `make bench BOARD=...` (tools/bench-board).
 *
 * Only a profile build (-DNOPE_PROFILE=1, its own build directory) has it: there the bracket
 * macros at the kernels' call sites add the elapsed ticks of a clock the program hands in
 * (nope_prof_clock, set by ports/app.c: core stays free of any port). In every other build the
 * macros expand to the bare statement, so code and bytes are those of a build without them.
 *
 *   NOPE_PROF(NOPE_PROF_DRAW, draw_block(...));          ticks of one call
 *   NOPE_PROF_MATMUL(n_macs, matmul_tile(...));          ticks of one tile, and its MACs
 *
 * Brackets sit at call sites of leaf kernels and never nest, so the kernels' figures add up;
 * whatever no bracket covers is "other". */
#ifndef NOPE_PROFILE_H
#define NOPE_PROFILE_H

#ifndef NOPE_PROFILE
#define NOPE_PROFILE 0
#endif

typedef enum {
    NOPE_PROF_DRAW,      /* weights (draw_block) and the input drawn from the random stream */
    NOPE_PROF_MATMUL,    /* the product tiles */
    NOPE_PROF_ATTEND,    /* scores, softmax and the weighted sum of values */
    NOPE_PROF_LAYERNORM, /* LayerNorm */
    NOPE_PROF_ACTIVATE,  /* ReLU or GELU */
    NOPE_PROF_STATS,     /* the variance and its running moments */
    NOPE_PROF_EMPTY,     /* brackets around nothing: what one bracket itself costs */
    NOPE_PROF_KERNELS
} nope_prof_kernel;

#if NOPE_PROFILE
#include <stdint.h>

typedef struct {
    uint64_t ticks[NOPE_PROF_KERNELS];    /* clock ticks inside the brackets, summed */
    uint64_t brackets[NOPE_PROF_KERNELS]; /* how many brackets were closed */
    uint64_t macs;                        /* multiply-accumulates inside NOPE_PROF_MATMUL brackets */
} nope_prof_counts;

extern uint64_t (*nope_prof_clock)(void);
extern nope_prof_counts nope_prof;

/* The cost of a bracket around nothing, measured `n` times into NOPE_PROF_EMPTY. */
void nope_prof_calibrate(uint32_t n);
/* The kernel's name as the bench table shows it. */
const char *nope_prof_name(nope_prof_kernel k);

#define NOPE_PROF(kernel, stmt)                                       \
    do {                                                              \
        uint64_t nope_prof_t0_ = nope_prof_clock();                   \
        stmt;                                                         \
        nope_prof.ticks[kernel] += nope_prof_clock() - nope_prof_t0_; \
        nope_prof.brackets[kernel]++;                                 \
    } while (0)
#define NOPE_PROF_MATMUL(n_macs, stmt)        \
    do {                                      \
        nope_prof.macs += (uint64_t)(n_macs); \
        NOPE_PROF(NOPE_PROF_MATMUL, stmt);    \
    } while (0)
#else
#define NOPE_PROF(kernel, stmt) stmt
#define NOPE_PROF_MATMUL(n_macs, stmt) stmt
#endif

#endif
