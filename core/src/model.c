#include "nope/model.h"

#include "nope/parallel.h"
#include "nope/profile.h"
#include "nope/stats.h"
#include "nope/trained.h"

#include "attention_f32_x86.h"

/* Workers the model splits its products and attention over. The fixed-point matmul sums into
 * one static accumulator and every saturation adds to one global count (kernels_fixed.c,
 * math_fixed.h), so that mode keeps to one worker until both are kept per worker. */
#if NOPE_NUM == NOPE_NUM_FIXED
#define MODEL_THREADS 1
#else
#define MODEL_THREADS NOPE_MAX_THREADS
#endif

/* Buffers, sized by capacity. Shapes in (rows, columns); "block" is up to NOPE_BLOCK_POS
 * positions computed together. */
static nope_num_t resid[NOPE_MAX_SEQ * NOPE_MAX_D]; /* (seq, d) residual stream x */
#if NOPE_KV_RECOMPUTE
/* Keys and values are made again for each block of queries, one head at a time, so no (seq, d)
 * store of them exists; each phase of a layer has its buffers, and the phases share memory (the
 * 16 KB micro:bit needs every byte). B = NOPE_BLOCK_POS queries, C = NOPE_KV_ROWS positions
 * whose keys and values are made together, F = NOPE_FFN_ROWS positions through the FFN together.
 * The block's o is the first member of the attention phases (a common initial sequence), so it
 * stays in place from q to Wo. The area lives on nope_model_run_trial's stack, not in static
 * memory: the report, which runs after the trials and calls deepest, reuses the same bytes. */
typedef union {
    struct {
        nope_num_t o[NOPE_BLOCK_POS * NOPE_MAX_D];      /* (B, d) q, then o written over it */
        nope_num_t normed[NOPE_BLOCK_POS * NOPE_MAX_D]; /* (B, d) LN(x) of the block, for q */
    } q;
    struct {
        nope_num_t o[NOPE_BLOCK_POS * NOPE_MAX_D];
        nope_num_t keys[NOPE_MAX_SEQ * NOPE_MAX_HEAD_DIM];   /* (seq, d/H) one head's k */
        nope_num_t values[NOPE_MAX_SEQ * NOPE_MAX_HEAD_DIM]; /* (seq, d/H) one head's v */
        nope_num_t normed[NOPE_KV_ROWS * NOPE_MAX_D];        /* (C, d) LN(x) of those positions */
        nope_num_t scores[NOPE_MAX_SEQ];                     /* (seq) one query's attention */
    } attn;
    struct {
        nope_num_t o[NOPE_BLOCK_POS * NOPE_MAX_D];
        nope_num_t y[NOPE_BLOCK_POS * NOPE_MAX_D]; /* (B, d) o Wo */
    } out;
    struct {
        nope_num_t normed[NOPE_FFN_ROWS * NOPE_MAX_D];   /* (F, d) LN(x), then hidden W2 */
        nope_num_t hidden[NOPE_FFN_ROWS * NOPE_MAX_FFN]; /* (F, ffn) act(LN(x) W1) */
    } ffn;
} recompute_work;
/* A schedule for small memories: capacities that put megabytes on the stack are a mistake. */
_Static_assert(sizeof(recompute_work) <= 1u << 20, "NOPE_KV_RECOMPUTE's work area is over 1 MB of stack");
#else
static nope_num_t keys[NOPE_MAX_SEQ * NOPE_MAX_D];   /* (seq, d) this layer's k, all heads */
static nope_num_t values[NOPE_MAX_SEQ * NOPE_MAX_D]; /* (seq, d) this layer's v */
/* Two (block, d) buffers take turns:
 *   normed:  LN(x) -> (q, k, v made) y = o Wo -> LN(x) again
 *   queries: q -> o written over q -> (y made) the FFN's output */
static nope_num_t normed[NOPE_BLOCK_POS * NOPE_MAX_D];
static nope_num_t queries[NOPE_BLOCK_POS * NOPE_MAX_D];
static nope_num_t ffn_hidden[NOPE_BLOCK_POS * NOPE_MAX_FFN]; /* (block, ffn) act(LN(x) W1) */
#if NOPE_F32_X86
/* A tile of queries' transposed q and scores, per worker (attention_f32_x86.h) */
#define MODEL_ATTEND_SCRATCH NOPE_X86_ATTEND_SCRATCH(NOPE_MAX_SEQ, NOPE_MAX_HEAD_DIM)
static _Alignas(64) nope_num_t scores[MODEL_THREADS][MODEL_ATTEND_SCRATCH];
#else
static nope_num_t scores[MODEL_THREADS][NOPE_MAX_SEQ]; /* (seq) one query's attention, per worker */
#endif
#endif
static nope_num_t weight_buf[NOPE_WEIGHT_BUF]; /* rows of the matrix being applied, a slice per worker */
#if MODEL_THREADS > 1
/* With several workers each makes a strip of a product's columns: (rows, strip width) here, one
 * strip after another, then copied into its columns of the output. */
#define MODEL_WIDEST (NOPE_MAX_FFN > NOPE_MAX_D ? NOPE_MAX_FFN : NOPE_MAX_D)
/* Rows a product takes at once: a block, or (keys made again) a group of FFN rows. */
#if NOPE_KV_RECOMPUTE && NOPE_FFN_ROWS > NOPE_BLOCK_POS
#define MODEL_PRODUCT_ROWS NOPE_FFN_ROWS
#else
#define MODEL_PRODUCT_ROWS NOPE_BLOCK_POS
#endif
static nope_num_t strip_out[MODEL_PRODUCT_ROWS * MODEL_WIDEST];
#define MODEL_STRIP_BYTES sizeof strip_out
#else
#define MODEL_STRIP_BYTES 0
#endif

size_t nope_model_static_bytes(void)
{
#if NOPE_KV_RECOMPUTE
    size_t work_bytes = 0; /* recompute_work is on the stack */
#else
    size_t work_bytes =
        sizeof keys + sizeof values + sizeof normed + sizeof queries + sizeof ffn_hidden + sizeof scores;
#endif
    return sizeof resid + work_bytes + sizeof weight_buf + MODEL_STRIP_BYTES;
}

nope_weights nope_model_weights(const nope_config *cfg, uint32_t trial, uint32_t layer, uint32_t which)
{
    if (nope_trained_model() != NULL) /* a trained model's matrix, read from its file */
        return nope_trained_weights(layer, which);
    nope_weights w = {nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_WEIGHT, layer * 8 + which), cfg->sigma_q, 0,
                      0, NULL};
    return w;
}

void nope_model_draw_input(nope_num_t *x, const nope_config *cfg, uint32_t trial)
{
    const uint32_t d = cfg->d, scale_q = nope_config_input_scale_q(cfg);
    const bool gaussian = cfg->input == NOPE_INPUT_GAUSSIAN;
    /* Gaussian inputs: element m*d + i of one stream. Tokens: the embedding table is never
     * stored; row `token` is its own stream, so a repeated token gets the very same vector, as
     * a table lookup would. */
    nope_rng_stream in = nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_INPUT, 0);
    nope_rng_stream tokens = nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_TOKENS, 0);
    /* Each vector drawn a run at a time as integers, then converted. */
    enum { RUN = 64 };
    int32_t q[RUN];
    for (uint32_t m = 0; m < cfg->seq; m++) {
        nope_rng_stream s = in;
        uint64_t e0 = (uint64_t)m * d;
        if (!gaussian) {
            uint32_t token = nope_rng_below(nope_rng_u32(tokens, m), cfg->vocab);
            s = nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_EMBED, token);
            e0 = 0;
        }
        for (uint32_t i0 = 0; i0 < d; i0 += RUN) {
            uint32_t n = d - i0 < RUN ? d - i0 : RUN;
            nope_rng_gauss_draw_run(q, s, e0 + i0, n, scale_q);
            for (uint32_t i = 0; i < n; i++)
                x[(size_t)m * d + i0 + i] = nope_num_from_draw(q[i]);
        }
    }
}

/* Strips start on multiples of a whole vector kernel panel where there are enough columns, else of
 * a cache line: no two workers then write one cache line of a row, and the kernel's rows run whole. */
enum { STRIP_PANEL = 64, STRIP_LINE = 16 };

#if MODEL_THREADS > 1
/* A product split into strips of columns, each run by one worker: each output is the same sum in
 * the same order as in one whole product, and each weight is still drawn once. */
typedef struct {
    nope_num_t *out;
    const nope_num_t *in;
    size_t rows, n_in, n_out;
    nope_weights w; /* row_stride n_out: a strip reads its columns of the whole matrix */
    uint32_t strips;
} product_job;

/* First column of strip s of `strips` (n_out for s == strips). */
static size_t strip_col(size_t n_out, uint32_t strips, uint32_t s)
{
    if (s == strips)
        return n_out;
    size_t unit = n_out >= (size_t)STRIP_PANEL * strips  ? STRIP_PANEL
                  : n_out >= (size_t)STRIP_LINE * strips ? STRIP_LINE
                                                         : 1;
    return n_out / unit * s / strips * unit;
}

static void product_strips(void *ctx, uint32_t worker, size_t begin, size_t end)
{
    const product_job *job = ctx;
    const size_t wbuf_cap = NOPE_WEIGHT_BUF / job->strips, rows = job->rows;
    nope_num_t *wbuf = weight_buf + worker * wbuf_cap;
    for (size_t s = begin; s < end; s++) {
        size_t c0 = strip_col(job->n_out, job->strips, (uint32_t)s);
        size_t width = strip_col(job->n_out, job->strips, (uint32_t)s + 1) - c0;
        nope_weights w = job->w;
        w.col0 = (uint32_t)c0;
        /* One row: the strip is contiguous in out already. */
        nope_num_t *dst = rows == 1 ? job->out + c0 : strip_out + rows * c0;
        nope_kern_matmul_drawn(dst, job->in, rows, job->n_in, width, &w, wbuf, wbuf_cap);
        if (rows > 1)
            for (size_t r = 0; r < rows; r++)
                for (size_t j = 0; j < width; j++)
                    job->out[r * job->n_out + c0 + j] = dst[r * width + j];
    }
}
#endif

uint32_t nope_model_max_workers(void)
{
    return MODEL_THREADS;
}

/* The workers this build's model can use of those the program set. */
static uint32_t model_workers(void)
{
    uint32_t n = nope_parallel_workers();
    return n < MODEL_THREADS ? n : MODEL_THREADS;
}

/* Strips a product is split into: one per worker, or up to STRIPS_PER_WORKER where whole panels
 * allow (a port may balance them among its workers as they come free), as long as each has a
 * column and a slice of the weight buffer. */
enum { STRIPS_PER_WORKER = 4 };
static uint32_t product_strips_for(size_t n_out)
{
    uint32_t n = model_workers();
    size_t panels = n_out / STRIP_PANEL;
    if (n > 1 && panels > n)
        n = panels < (size_t)n * STRIPS_PER_WORKER ? (uint32_t)panels : n * STRIPS_PER_WORKER;
    if (n > n_out)
        n = (uint32_t)n_out;
    if (n > NOPE_WEIGHT_BUF)
        n = NOPE_WEIGHT_BUF;
    return n;
}

/* out (rows, n_out) = in (rows, n_in) x matrix `which` of this layer, drawn as needed. */
static void project(nope_num_t *out, const nope_num_t *in, size_t rows, size_t n_in, size_t n_out,
                    const nope_config *cfg, uint32_t trial, uint32_t layer, uint32_t which)
{
    nope_weights w = nope_model_weights(cfg, trial, layer, which);
    uint32_t strips = product_strips_for(n_out);
    if (strips <= 1) {
        nope_kern_matmul_drawn(out, in, rows, n_in, n_out, &w, weight_buf, NOPE_WEIGHT_BUF);
        return;
    }
#if MODEL_THREADS > 1
    w.row_stride = (uint32_t)n_out;
    product_job job = {out, in, rows, n_in, n_out, w, strips};
    nope_parallel_for(product_strips, &job, strips, strips);
#endif
}

#if NOPE_KV_RECOMPUTE
/* Keys and values of head h for positions 0 .. n_pos-1 into work.attn, made from the layer's
 * input (still whole in resid for those positions): C positions at a time are LayerNormed again,
 * and head h's columns of Wk and Wv drawn once for them. The same LayerNorm and the same sums
 * over the same columns, so the same bits as keys made once for every head and stored. */
static void make_head_kv(recompute_work *work, const nope_config *cfg, const nope_kern_params *kp, uint32_t trial,
                         uint32_t layer, uint32_t h, uint32_t n_pos)
{
    const size_t d = cfg->d, dh = cfg->d / cfg->heads;
    nope_weights wk = nope_model_weights(cfg, trial, layer, NOPE_W_K);
    nope_weights wv = nope_model_weights(cfg, trial, layer, NOPE_W_V);
    wk.row_stride = wv.row_stride = (uint32_t)d;
    wk.col0 = wv.col0 = (uint32_t)(h * dh);
    for (uint32_t n0 = 0; n0 < n_pos; n0 += NOPE_KV_ROWS) {
        uint32_t cn = n_pos - n0 < NOPE_KV_ROWS ? n_pos - n0 : NOPE_KV_ROWS;
        NOPE_PROF(NOPE_PROF_LAYERNORM, nope_kern_layernorm_rows(work->attn.normed, resid + (size_t)n0 * d, cn, d, kp));
        nope_trained_layernorm_affine(work->attn.normed, cn, d, layer, NOPE_MF_LN1_GAIN);
        nope_kern_matmul_drawn(work->attn.keys + n0 * dh, work->attn.normed, cn, d, dh, &wk, weight_buf,
                               NOPE_WEIGHT_BUF);
        nope_kern_matmul_drawn(work->attn.values + n0 * dh, work->attn.normed, cn, d, dh, &wv, weight_buf,
                               NOPE_WEIGHT_BUF);
    }
}

/* The attention sublayer for queries b0 .. b0+bn-1: x = x + o Wo for those rows, with o from keys
 * and values made again for positions 0 .. b0+bn-1. Blocks run last to first, so the rows a
 * block reads are still the layer's input, and the rows it writes are read by no later block. */
static void attention_block(recompute_work *work, const nope_config *cfg, const nope_kern_params *kp, uint32_t trial,
                            uint32_t layer, uint32_t b0, uint32_t bn)
{
    const size_t d = cfg->d, dh = cfg->d / cfg->heads;
    nope_num_t *x = resid + (size_t)b0 * d;

    /* q = LN(x) Wq for every head at once: Wq is drawn once per block. */
    NOPE_PROF(NOPE_PROF_LAYERNORM, nope_kern_layernorm_rows(work->q.normed, x, bn, d, kp));
    nope_trained_layernorm_affine(work->q.normed, bn, d, layer, NOPE_MF_LN1_GAIN);
    project(work->q.o, work->q.normed, bn, d, d, cfg, trial, layer, NOPE_W_Q);

    /* Per head, its keys and values for every position the block sees, then each query's
     * o = sum_{n <= m} softmax(q_m . k_n / sqrt(dh)) v_n, written over its q. */
    for (uint32_t h = 0; h < cfg->heads; h++) {
        make_head_kv(work, cfg, kp, trial, layer, h, b0 + bn);
        for (uint32_t r = 0; r < bn; r++) {
            nope_num_t *q_then_o = work->attn.o + r * d + h * dh;
            NOPE_PROF(NOPE_PROF_ATTEND, nope_kern_attend(q_then_o, q_then_o, work->attn.keys, work->attn.values,
                                                         (size_t)b0 + r + 1, dh, dh, work->attn.scores, kp));
        }
    }

    /* y = o Wo, its variance, and x = x + y. */
    project(work->out.y, work->out.o, bn, d, d, cfg, trial, layer, NOPE_W_O);
    for (uint32_t r = 0; r < bn; r++) {
        NOPE_PROF(NOPE_PROF_STATS,
                  nope_stats_add(NOPE_STAT_ATTN, layer, b0 + r, nope_kern_var_unbiased(work->out.y + r * d, d)));
        nope_kern_add(x + r * d, work->out.y + r * d, d);
    }
}

/* The FFN sublayer for rows r0 .. r0+rn-1, once every row has had its attention:
 * x = x + act(LN(x) W1) W2, and the residual stream's variance after the block. W1 and W2 are
 * drawn once per call. */
static void ffn_rows(recompute_work *work, const nope_config *cfg, const nope_kern_params *kp, uint32_t trial,
                     uint32_t layer, uint32_t r0, uint32_t rn)
{
    const size_t d = cfg->d, ffn = cfg->ffn;
    nope_num_t *x = resid + (size_t)r0 * d;
    NOPE_PROF(NOPE_PROF_LAYERNORM, nope_kern_layernorm_rows(work->ffn.normed, x, rn, d, kp));
    nope_trained_layernorm_affine(work->ffn.normed, rn, d, layer, NOPE_MF_LN2_GAIN);
    project(work->ffn.hidden, work->ffn.normed, rn, d, ffn, cfg, trial, layer, NOPE_W_1);
    NOPE_PROF(NOPE_PROF_ACTIVATE, nope_kern_activate(work->ffn.hidden, (size_t)rn * ffn, cfg->act));
    nope_num_t *ffn_out = work->ffn.normed; /* LN(x) is spent once the hidden layer is made */
    project(ffn_out, work->ffn.hidden, rn, ffn, d, cfg, trial, layer, NOPE_W_2);
    for (uint32_t r = 0; r < rn; r++) {
        nope_kern_add(x + r * d, ffn_out + r * d, d);
        NOPE_PROF(NOPE_PROF_STATS, nope_stats_add(NOPE_STAT_HID, layer, r0 + r, nope_kern_var_unbiased(x + r * d, d)));
    }
}

/* One layer: every row's attention (blocks of queries, last first), then every row's FFN. Each
 * row's FFN reads only that row, so running it after all the attention changes nothing. */
static void layer_recompute(recompute_work *work, const nope_config *cfg, const nope_kern_params *kp, uint32_t trial,
                            uint32_t layer)
{
    for (uint32_t end = cfg->seq; end > 0;) {
        uint32_t b0 = end > NOPE_BLOCK_POS ? end - NOPE_BLOCK_POS : 0;
        attention_block(work, cfg, kp, trial, layer, b0, end - b0);
        end = b0;
    }
    for (uint32_t r0 = 0; r0 < cfg->seq; r0 += NOPE_FFN_ROWS)
        ffn_rows(work, cfg, kp, trial, layer, r0, cfg->seq - r0 < NOPE_FFN_ROWS ? cfg->seq - r0 : NOPE_FFN_ROWS);
}
#else
/* The attention of a block's queries b0 .. b0+bn-1: item k is one head's query row (or tile of
 * ATTEND_ROWS rows), head by head, so a worker's run of items reads one head's keys and values
 * again and again while they are in its cache (at the paper's scale a head's are 2 x 128 KB; all
 * heads' 3 MB). Within a head rows pair up from both ends (0, bn-1, 1, bn-2, ...), so any run of
 * items holds as many short (early) queries as long (late) ones, and an even split of the items
 * is an even split of the work. Each item writes only its own slice of o and uses its worker's
 * scratch. */
typedef struct {
    const nope_config *cfg;
    const nope_kern_params *kp;
    uint32_t b0, bn;
} attention_job;

#if NOPE_F32_X86
/* The x86 host takes the queries in tiles of NOPE_X86_ATTEND_TILE (the last tile may be short):
 * an item is one tile of one head, and tiles pair up from both ends as rows do below. */
enum { ATTEND_ROWS = NOPE_X86_ATTEND_TILE };
#else
enum { ATTEND_ROWS = 1 };
#endif

static void attention_items(void *ctx, uint32_t worker, size_t begin, size_t end)
{
    const attention_job *job = ctx;
    const size_t d = job->cfg->d, heads = job->cfg->heads, dh = d / heads;
    const size_t tiles = (job->bn + ATTEND_ROWS - 1) / ATTEND_ROWS;
    for (size_t k = begin; k < end; k++) {
        size_t h = k / tiles, p = k % tiles;
        size_t r = (p % 2 == 0 ? p / 2 : tiles - 1 - p / 2) * ATTEND_ROWS;
        nope_num_t *q_then_o = queries + r * d + h * dh;
#if NOPE_F32_X86
        size_t nq = job->bn - r < ATTEND_ROWS ? job->bn - r : ATTEND_ROWS;
        NOPE_PROF(NOPE_PROF_ATTEND, nope_x86_attend_tile(q_then_o, q_then_o, keys + h * dh, values + h * dh,
                                                         (size_t)job->b0 + r, nq, dh, d, scores[worker], job->kp));
#else
        NOPE_PROF(NOPE_PROF_ATTEND, nope_kern_attend(q_then_o, q_then_o, keys + h * dh, values + h * dh,
                                                     (size_t)job->b0 + r + 1, dh, d, scores[worker], job->kp));
#endif
    }
}

/* The row-wise steps of a block: LayerNorm, the activation, and each sublayer's variance and
 * residual add. Every row is its own work and its own bits, so the rows are split among the
 * workers in groups that keep the host's 32-row LayerNorm whole; with one worker the step runs over
 * all rows in one call, as it always has. The statistics go to one slot per (layer, position). */
enum { ROW_GROUP = 32 };
typedef enum { ROWS_LAYERNORM, ROWS_ACTIVATE, ROWS_ATTN_ADD, ROWS_FFN_ADD } rows_step;
typedef struct {
    rows_step step;
    const nope_config *cfg;
    const nope_kern_params *kp;
    uint32_t layer, b0, bn;
    nope_num_t *x;    /* the block's residual rows */
    nope_num_t *rows; /* the step's rows: LayerNorm's output, the FFN's hidden rows, or a sublayer's output */
} rows_job;

static void rows_run(const rows_job *job, uint32_t r0, uint32_t r1)
{
    const size_t d = job->cfg->d, ffn = job->cfg->ffn;
    nope_num_t *x = job->x, *y = job->rows;
    switch (job->step) {
    case ROWS_LAYERNORM:
        NOPE_PROF(NOPE_PROF_LAYERNORM, nope_kern_layernorm_rows(y + r0 * d, x + r0 * d, r1 - r0, d, job->kp));
        break;
    case ROWS_ACTIVATE:
        NOPE_PROF(NOPE_PROF_ACTIVATE, nope_kern_activate(y + r0 * ffn, (size_t)(r1 - r0) * ffn, job->cfg->act));
        break;
    case ROWS_ATTN_ADD: /* the attention output's variance, then x = x + y */
        for (uint32_t r = r0; r < r1; r++) {
            NOPE_PROF(NOPE_PROF_STATS,
                      nope_stats_add(NOPE_STAT_ATTN, job->layer, job->b0 + r, nope_kern_var_unbiased(y + r * d, d)));
            nope_kern_add(x + r * d, y + r * d, d);
        }
        break;
    case ROWS_FFN_ADD: /* x = x + y, then the residual stream's variance after the block */
        for (uint32_t r = r0; r < r1; r++) {
            nope_kern_add(x + r * d, y + r * d, d);
            NOPE_PROF(NOPE_PROF_STATS,
                      nope_stats_add(NOPE_STAT_HID, job->layer, job->b0 + r, nope_kern_var_unbiased(x + r * d, d)));
        }
        break;
    }
}

static void rows_groups(void *ctx, uint32_t worker, size_t begin, size_t end)
{
    const rows_job *job = ctx;
    (void)worker;
    size_t r1 = end * ROW_GROUP < job->bn ? end * ROW_GROUP : job->bn;
    rows_run(job, (uint32_t)(begin * ROW_GROUP), (uint32_t)r1);
}

static void run_rows(rows_job job, rows_step step, nope_num_t *rows)
{
    job.step = step;
    job.rows = rows;
    nope_parallel_for(rows_groups, &job, (job.bn + ROW_GROUP - 1) / ROW_GROUP, model_workers());
}

/* Positions b0 .. b0+bn-1 of one layer, updating x (resid) in place. A block's keys and values
 * join those of earlier blocks before any of their residuals change, so every query sees keys
 * 1..m of the same (old) x. Causal attention needs nothing later. */
static void layer_block(const nope_config *cfg, const nope_kern_params *kp, uint32_t trial, uint32_t layer, uint32_t b0,
                        uint32_t bn)
{
    const size_t d = cfg->d, ffn = cfg->ffn;
    nope_num_t *x = resid + (size_t)b0 * d;

    const rows_job rows = {ROWS_LAYERNORM, cfg, kp, layer, b0, bn, x, normed};

    /* h = LN(x); q, k, v = h Wq, h Wk, h Wv. Nothing positional is added anywhere: NoPE. */
    run_rows(rows, ROWS_LAYERNORM, normed);
    nope_trained_layernorm_affine(normed, bn, d, layer, NOPE_MF_LN1_GAIN);
    project(queries, normed, bn, d, d, cfg, trial, layer, NOPE_W_Q);
    project(keys + (size_t)b0 * d, normed, bn, d, d, cfg, trial, layer, NOPE_W_K);
    project(values + (size_t)b0 * d, normed, bn, d, d, cfg, trial, layer, NOPE_W_V);

    /* o_m = sum_{n <= m} softmax(q_m . k_n / sqrt(dh)) v_n, per head, written over q_m (each
     * head reads its slice of q before writing its slice of o); y = o Wo. */
    attention_job job = {cfg, kp, b0, bn};
    nope_parallel_for(attention_items, &job, (bn + ATTEND_ROWS - 1) / ATTEND_ROWS * cfg->heads, model_workers());
    nope_num_t *attn_out = normed; /* y: LN(x) is spent once q, k, v are made */
    project(attn_out, queries, bn, d, d, cfg, trial, layer, NOPE_W_O);

    run_rows(rows, ROWS_ATTN_ADD, attn_out);

    /* x = x + act(LN(x) W1) W2, and the residual stream's variance after the block. */
    run_rows(rows, ROWS_LAYERNORM, normed);
    nope_trained_layernorm_affine(normed, bn, d, layer, NOPE_MF_LN2_GAIN);
    project(ffn_hidden, normed, bn, d, ffn, cfg, trial, layer, NOPE_W_1);
    run_rows(rows, ROWS_ACTIVATE, ffn_hidden);
    nope_num_t *ffn_out = queries; /* o is spent once y is made */
    project(ffn_out, ffn_hidden, bn, ffn, d, cfg, trial, layer, NOPE_W_2);
    run_rows(rows, ROWS_FFN_ADD, ffn_out);
}
#endif

nope_num_t *nope_model_resid(void)
{
    return resid;
}

void nope_model_run_trial(const nope_config *cfg, const nope_kern_params *kp, uint32_t trial)
{
    NOPE_PROF(NOPE_PROF_DRAW, nope_model_draw_input(resid, cfg, trial));
    nope_model_run_layers(cfg, kp, trial);
}

void nope_model_run_layers(const nope_config *cfg, const nope_kern_params *kp, uint32_t trial)
{
#if NOPE_KV_RECOMPUTE
    recompute_work stack_work; /* see recompute_work: on the stack on purpose */
#endif
    for (uint32_t layer = 0; layer < cfg->layers; layer++) {
#if NOPE_KV_RECOMPUTE
        layer_recompute(&stack_work, cfg, kp, trial, layer);
#else
        for (uint32_t b0 = 0; b0 < cfg->seq; b0 += NOPE_BLOCK_POS) {
            uint32_t bn = cfg->seq - b0 < NOPE_BLOCK_POS ? cfg->seq - b0 : NOPE_BLOCK_POS;
            layer_block(cfg, kp, trial, layer, b0, bn);
        }
#endif
    }
}
