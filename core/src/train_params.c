/* The trained model's parameters as one flat float array in the model file's tensor order, so
 * saving a model is a straight copy, and a fresh model drawn from the core's counter RNG. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32

#include "nope/num.h"
#include "nope/rng.h"
#include "nope/train.h"

/* Tensors per layer: LN1 gain .. W2. */
enum { PER_LAYER = NOPE_TT_W2 - NOPE_TT_LN1_GAIN + 1 };

bool nope_train_shape_ok(const nope_train_shape *s)
{
    return s->d >= 2 && s->heads >= 1 && s->d % s->heads == 0 && s->layers >= 1 && s->ffn >= 1 && s->seq >= 1 &&
           s->vocab >= 256 && (s->act == NOPE_ACT_RELU || s->act == NOPE_ACT_GELU) && s->eps > 0.0f;
}

size_t nope_train_tensor_count(const nope_train_shape *s)
{
    return 1 + (size_t)s->layers * PER_LAYER + 2;
}

/* Rows and columns of a tensor kind. */
static void tensor_dims(const nope_train_shape *s, nope_train_kind kind, size_t *rows, size_t *cols)
{
    *rows = 1;
    *cols = s->d;
    switch (kind) {
    case NOPE_TT_EMBED: *rows = s->vocab; break;
    case NOPE_TT_WQ:
    case NOPE_TT_WK:
    case NOPE_TT_WV:
    case NOPE_TT_WO: *rows = s->d; break;
    case NOPE_TT_W1:
        *rows = s->d;
        *cols = s->ffn;
        break;
    case NOPE_TT_W2: *rows = s->ffn; break;
    default: /* the gains and biases: vectors of d */ break;
    }
}

/* Values in one layer's tensors together. */
static size_t layer_size(const nope_train_shape *s)
{
    size_t d = s->d, f = s->ffn;
    return 4 * d + 4 * d * d + 2 * d * f;
}

nope_train_tensor nope_train_tensor_of(const nope_train_shape *s, nope_train_kind kind, uint32_t layer)
{
    nope_train_tensor t = {kind, 0, 0, 0, 0, false};
    tensor_dims(s, kind, &t.rows, &t.cols);
    t.decay = t.rows > 1; /* the embedding and the matrices; never a LayerNorm gain or bias */
    size_t embed = (size_t)s->vocab * s->d;
    if (kind == NOPE_TT_EMBED)
        return t;
    if (kind >= NOPE_TT_LNF_GAIN) {
        t.offset = embed + (size_t)s->layers * layer_size(s) + (kind == NOPE_TT_LNF_BIAS ? s->d : 0);
        return t;
    }
    t.layer = layer;
    t.offset = embed + (size_t)layer * layer_size(s);
    for (int k = NOPE_TT_LN1_GAIN; k < (int)kind; k++) {
        size_t r, c;
        tensor_dims(s, (nope_train_kind)k, &r, &c);
        t.offset += r * c;
    }
    return t;
}

nope_train_tensor nope_train_tensor_at(const nope_train_shape *s, size_t index)
{
    if (index == 0)
        return nope_train_tensor_of(s, NOPE_TT_EMBED, 0);
    size_t in_layers = (size_t)s->layers * PER_LAYER;
    if (index > in_layers)
        return nope_train_tensor_of(s, index == in_layers + 1 ? NOPE_TT_LNF_GAIN : NOPE_TT_LNF_BIAS, 0);
    size_t k = index - 1;
    return nope_train_tensor_of(s, (nope_train_kind)(NOPE_TT_LN1_GAIN + k % PER_LAYER), (uint32_t)(k / PER_LAYER));
}

size_t nope_train_param_count(const nope_train_shape *s)
{
    return (size_t)s->vocab * s->d + (size_t)s->layers * layer_size(s) + 2 * (size_t)s->d;
}

void nope_train_init(const nope_train_shape *s, float *params, uint64_t seed, uint32_t sigma_q)
{
    enum { RUN = 64 };
    int32_t q[RUN];
    size_t count = nope_train_tensor_count(s);
    for (size_t k = 0; k < count; k++) {
        nope_train_tensor t = nope_train_tensor_at(s, k);
        size_t n = t.rows * t.cols;
        float *p = params + t.offset;
        if (t.rows == 1) { /* a gain is 1, a bias 0 */
            bool gain = t.kind == NOPE_TT_LN1_GAIN || t.kind == NOPE_TT_LN2_GAIN || t.kind == NOPE_TT_LNF_GAIN;
            for (size_t i = 0; i < n; i++)
                p[i] = gain ? 1.0f : 0.0f;
            continue;
        }
        nope_rng_stream st = nope_rng_stream_make(seed, UINT32_MAX, NOPE_RNG_TAG_WEIGHT, (uint32_t)k);
        for (size_t i0 = 0; i0 < n; i0 += RUN) {
            size_t run = n - i0 < RUN ? n - i0 : RUN;
            nope_rng_gauss_draw_run(q, st, i0, run, sigma_q);
            for (size_t i = 0; i < run; i++)
                p[i0 + i] = nope_num_from_draw(q[i]);
        }
    }
}

#endif
