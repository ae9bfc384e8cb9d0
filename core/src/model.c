#include "nope/model.h"

#include "nope/stats.h"

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
static nope_num_t scores[NOPE_MAX_SEQ];                      /* (seq) one query's attention */
#endif
static nope_num_t weight_buf[NOPE_WEIGHT_BUF]; /* rows of the matrix being applied */

size_t nope_model_static_bytes(void)
{
#if NOPE_KV_RECOMPUTE
    size_t work_bytes = 0; /* recompute_work is on the stack */
#else
    size_t work_bytes =
        sizeof keys + sizeof values + sizeof normed + sizeof queries + sizeof ffn_hidden + sizeof scores;
#endif
    return sizeof resid + work_bytes + sizeof weight_buf;
}

nope_weights nope_model_weights(const nope_config *cfg, uint32_t trial, uint32_t layer, uint32_t which)
{
    nope_weights w = {nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_WEIGHT, layer * 8 + which), cfg->sigma_q, 0,
                      0};
    return w;
}

void nope_model_draw_input(nope_num_t *x, const nope_config *cfg, uint32_t trial)
{
    const uint32_t d = cfg->d, scale_q = nope_config_input_scale_q(cfg);
    switch (cfg->input) {
    case NOPE_INPUT_GAUSSIAN: {
        nope_rng_stream in = nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_INPUT, 0);
        for (uint64_t e = 0; e < (uint64_t)cfg->seq * d; e++)
            x[e] = nope_num_from_draw(nope_rng_gauss_draw(in, e, scale_q));
        break;
    }
    case NOPE_INPUT_TOKENS: {
        /* The embedding table is never stored; row `token` is its own stream, so a repeated
         * token gets the very same vector, as a table lookup would. */
        nope_rng_stream tokens = nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_TOKENS, 0);
        for (uint32_t m = 0; m < cfg->seq; m++) {
            uint32_t token = nope_rng_below(nope_rng_u32(tokens, m), cfg->vocab);
            nope_rng_stream row = nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_EMBED, token);
            for (uint32_t i = 0; i < d; i++)
                x[(size_t)m * d + i] = nope_num_from_draw(nope_rng_gauss_draw(row, i, scale_q));
        }
        break;
    }
    }
}

/* out (rows, n_out) = in (rows, n_in) x matrix `which` of this layer, drawn as needed. */
static void project(nope_num_t *out, const nope_num_t *in, size_t rows, size_t n_in, size_t n_out,
                    const nope_config *cfg, uint32_t trial, uint32_t layer, uint32_t which)
{
    nope_weights w = nope_model_weights(cfg, trial, layer, which);
    nope_kern_matmul_drawn(out, in, rows, n_in, n_out, &w, weight_buf, NOPE_WEIGHT_BUF);
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
        for (uint32_t r = 0; r < cn; r++)
            nope_kern_layernorm(work->attn.normed + r * d, resid + (size_t)(n0 + r) * d, d, kp);
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
    for (uint32_t r = 0; r < bn; r++)
        nope_kern_layernorm(work->q.normed + r * d, x + r * d, d, kp);
    project(work->q.o, work->q.normed, bn, d, d, cfg, trial, layer, NOPE_W_Q);

    /* Per head, its keys and values for every position the block sees, then each query's
     * o = sum_{n <= m} softmax(q_m . k_n / sqrt(dh)) v_n, written over its q. */
    for (uint32_t h = 0; h < cfg->heads; h++) {
        make_head_kv(work, cfg, kp, trial, layer, h, b0 + bn);
        for (uint32_t r = 0; r < bn; r++) {
            nope_num_t *q_then_o = work->attn.o + r * d + h * dh;
            nope_kern_attend(q_then_o, q_then_o, work->attn.keys, work->attn.values, (size_t)b0 + r + 1, dh, dh,
                             work->attn.scores, kp);
        }
    }

    /* y = o Wo, its variance, and x = x + y. */
    project(work->out.y, work->out.o, bn, d, d, cfg, trial, layer, NOPE_W_O);
    for (uint32_t r = 0; r < bn; r++) {
        nope_stats_add(NOPE_STAT_ATTN, layer, b0 + r, nope_kern_var_unbiased(work->out.y + r * d, d));
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
    for (uint32_t r = 0; r < rn; r++)
        nope_kern_layernorm(work->ffn.normed + r * d, x + r * d, d, kp);
    project(work->ffn.hidden, work->ffn.normed, rn, d, ffn, cfg, trial, layer, NOPE_W_1);
    nope_kern_activate(work->ffn.hidden, (size_t)rn * ffn, cfg->act);
    nope_num_t *ffn_out = work->ffn.normed; /* LN(x) is spent once the hidden layer is made */
    project(ffn_out, work->ffn.hidden, rn, ffn, d, cfg, trial, layer, NOPE_W_2);
    for (uint32_t r = 0; r < rn; r++) {
        nope_kern_add(x + r * d, ffn_out + r * d, d);
        nope_stats_add(NOPE_STAT_HID, layer, r0 + r, nope_kern_var_unbiased(x + r * d, d));
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
/* Positions b0 .. b0+bn-1 of one layer, updating x (resid) in place. A block's keys and values
 * join those of earlier blocks before any of their residuals change, so every query sees keys
 * 1..m of the same (old) x. Causal attention needs nothing later. */
static void layer_block(const nope_config *cfg, const nope_kern_params *kp, uint32_t trial, uint32_t layer, uint32_t b0,
                        uint32_t bn)
{
    const size_t d = cfg->d, ffn = cfg->ffn, dh = cfg->d / cfg->heads;
    nope_num_t *x = resid + (size_t)b0 * d;

    /* h = LN(x); q, k, v = h Wq, h Wk, h Wv. Nothing positional is added anywhere: NoPE. */
    for (uint32_t r = 0; r < bn; r++)
        nope_kern_layernorm(normed + r * d, x + r * d, d, kp);
    project(queries, normed, bn, d, d, cfg, trial, layer, NOPE_W_Q);
    project(keys + (size_t)b0 * d, normed, bn, d, d, cfg, trial, layer, NOPE_W_K);
    project(values + (size_t)b0 * d, normed, bn, d, d, cfg, trial, layer, NOPE_W_V);

    /* o_m = sum_{n <= m} softmax(q_m . k_n / sqrt(dh)) v_n, per head, written over q_m (each
     * head reads its slice of q before writing its slice of o); y = o Wo. */
    for (uint32_t r = 0; r < bn; r++)
        for (uint32_t h = 0; h < cfg->heads; h++) {
            nope_num_t *q_then_o = queries + r * d + h * dh;
            nope_kern_attend(q_then_o, q_then_o, keys + h * dh, values + h * dh, (size_t)b0 + r + 1, dh, d, scores, kp);
        }
    nope_num_t *attn_out = normed; /* y: LN(x) is spent once q, k, v are made */
    project(attn_out, queries, bn, d, d, cfg, trial, layer, NOPE_W_O);

    /* The attention output's variance, then x = x + y. */
    for (uint32_t r = 0; r < bn; r++) {
        nope_stats_add(NOPE_STAT_ATTN, layer, b0 + r, nope_kern_var_unbiased(attn_out + r * d, d));
        nope_kern_add(x + r * d, attn_out + r * d, d);
    }

    /* x = x + act(LN(x) W1) W2, and the residual stream's variance after the block. */
    for (uint32_t r = 0; r < bn; r++)
        nope_kern_layernorm(normed + r * d, x + r * d, d, kp);
    project(ffn_hidden, normed, bn, d, ffn, cfg, trial, layer, NOPE_W_1);
    nope_kern_activate(ffn_hidden, (size_t)bn * ffn, cfg->act);
    nope_num_t *ffn_out = queries; /* o is spent once y is made */
    project(ffn_out, ffn_hidden, bn, ffn, d, cfg, trial, layer, NOPE_W_2);
    for (uint32_t r = 0; r < bn; r++) {
        nope_kern_add(x + r * d, ffn_out + r * d, d);
        nope_stats_add(NOPE_STAT_HID, layer, b0 + r, nope_kern_var_unbiased(x + r * d, d));
    }
}
#endif

void nope_model_run_trial(const nope_config *cfg, const nope_kern_params *kp, uint32_t trial)
{
#if NOPE_KV_RECOMPUTE
    recompute_work stack_work; /* see recompute_work: on the stack on purpose */
#endif
    nope_model_draw_input(resid, cfg, trial);
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
