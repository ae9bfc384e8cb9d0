#include "nope/model.h"

#include "nope/stats.h"

/* Buffers, sized by capacity. Shapes in (rows, columns); "block" is up to NOPE_BLOCK_POS
 * positions computed together. */
static nope_num_t resid[NOPE_MAX_SEQ * NOPE_MAX_D];       /* (seq, d) residual stream x */
static nope_num_t keys[NOPE_MAX_SEQ * NOPE_MAX_D];        /* (seq, d) this layer's k, all heads */
static nope_num_t values[NOPE_MAX_SEQ * NOPE_MAX_D];      /* (seq, d) this layer's v */
/* Two (block, d) buffers take turns, as the 16 KB micro:bit needs every byte:
 *   normed:  LN(x) -> (q, k, v made) y = o Wo -> LN(x) again
 *   queries: q -> o written over q -> (y made) the FFN's output */
static nope_num_t normed[NOPE_BLOCK_POS * NOPE_MAX_D];
static nope_num_t queries[NOPE_BLOCK_POS * NOPE_MAX_D];
static nope_num_t ffn_hidden[NOPE_BLOCK_POS * NOPE_MAX_FFN]; /* (block, ffn) act(LN(x) W1) */
static nope_num_t scores[NOPE_MAX_SEQ];                   /* (seq) one query's attention */
static nope_num_t weight_buf[NOPE_WEIGHT_BUF];            /* rows of the matrix being applied */

size_t nope_model_static_bytes(void)
{
    return sizeof resid + sizeof keys + sizeof values + sizeof normed + sizeof queries +
           sizeof ffn_hidden + sizeof scores + sizeof weight_buf;
}

nope_weights nope_model_weights(const nope_config *cfg, uint32_t trial, uint32_t layer, uint32_t which)
{
    nope_weights w;
    w.stream = nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_WEIGHT, layer * 8 + which);
    w.scale_q = cfg->sigma_q;
    return w;
}

void nope_model_draw_input(nope_num_t *x, const nope_config *cfg, uint32_t trial)
{
    const uint32_t d = cfg->d;
    if (cfg->input == NOPE_INPUT_GAUSSIAN) {
        nope_rng_stream in = nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_INPUT, 0);
        for (uint64_t e = 0; e < (uint64_t)cfg->seq * d; e++)
            x[e] = nope_num_from_draw(nope_rng_gauss_draw(in, e, cfg->sigma_in_q));
        return;
    }
    /* Tokens: the embedding table is never stored; row `token` is its own stream, so a
     * repeated token gets the very same vector, as a table lookup would. */
    nope_rng_stream tokens = nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_TOKENS, 0);
    for (uint32_t m = 0; m < cfg->seq; m++) {
        uint32_t token = nope_rng_below(nope_rng_u32(tokens, m), cfg->vocab);
        nope_rng_stream row = nope_rng_stream_make(cfg->seed, trial, NOPE_RNG_TAG_EMBED, token);
        for (uint32_t i = 0; i < d; i++)
            x[(size_t)m * d + i] = nope_num_from_draw(nope_rng_gauss_draw(row, i, cfg->sigma_q));
    }
}

/* out (rows, n_out) = in (rows, n_in) x matrix `which` of this layer, drawn as needed. */
static void project(nope_num_t *out, const nope_num_t *in, size_t rows, size_t n_in, size_t n_out,
                    const nope_config *cfg, uint32_t trial, uint32_t layer, uint32_t which)
{
    nope_weights w = nope_model_weights(cfg, trial, layer, which);
    nope_kern_matmul_drawn(out, in, rows, n_in, n_out, &w, weight_buf, NOPE_WEIGHT_BUF);
}

/* Positions b0 .. b0+bn-1 of one layer. Their keys and values join those of earlier blocks
 * before any of their residuals change, so every query sees keys 1..m of the same (old) x:
 * causal attention needs nothing later, which is what lets a block update x in place. */
static void layer_block(const nope_config *cfg, const nope_kern_params *kp, uint32_t trial,
                        uint32_t layer, uint32_t b0, uint32_t bn)
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
            nope_kern_attend(q_then_o, q_then_o, keys + h * dh, values + h * dh, (size_t)b0 + r + 1,
                             dh, d, scores, kp);
        }
    nope_num_t *attn_out = normed; /* y: LN(x) is spent once q, k, v are made */
    project(attn_out, queries, bn, d, d, cfg, trial, layer, NOPE_W_O);

    /* The attention output's variance, then x = x + y. */
    for (uint32_t r = 0; r < bn; r++) {
        nope_stats_add_attn(layer, b0 + r, nope_kern_var_unbiased(attn_out + r * d, d));
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
        nope_stats_add_hid(layer, b0 + r, nope_kern_var_unbiased(x + r * d, d));
    }
}

void nope_model_run_trial(const nope_config *cfg, const nope_kern_params *kp, uint32_t trial)
{
    nope_model_draw_input(resid, cfg, trial);
    for (uint32_t layer = 0; layer < cfg->layers; layer++)
        for (uint32_t b0 = 0; b0 < cfg->seq; b0 += NOPE_BLOCK_POS) {
            uint32_t bn = cfg->seq - b0 < NOPE_BLOCK_POS ? cfg->seq - b0 : NOPE_BLOCK_POS;
            layer_block(cfg, kp, trial, layer, b0, bn);
        }
}
