#include "train_model.h"

#if NOPE_NUM == NOPE_NUM_F32

/* The training math keeps its tensors in the file's order under the file's codes, so saving is
 * a copy: these make the build fail if the two ever disagree. */
#define SAME_CODE(t) _Static_assert((int)NOPE_TT_##t == (int)NOPE_MF_##t, "tensor code of " #t " differs")
SAME_CODE(EMBED);
SAME_CODE(LN1_GAIN);
SAME_CODE(LN1_BIAS);
SAME_CODE(WQ);
SAME_CODE(WK);
SAME_CODE(WV);
SAME_CODE(WO);
SAME_CODE(LN2_GAIN);
SAME_CODE(LN2_BIAS);
SAME_CODE(W1);
SAME_CODE(W2);
SAME_CODE(LNF_GAIN);
SAME_CODE(LNF_BIAS);
_Static_assert(NOPE_MF_TENSORS == NOPE_TT_LNF_BIAS + 1, "the file has tensors the training math does not");

nope_mf_dims nope_train_model_dims(const nope_train_shape *s)
{
    return (nope_mf_dims){s->d, s->heads, s->layers, s->ffn, s->vocab, s->seq, s->act, nope_mf_f32_bits(s->eps)};
}

typedef struct {
    const nope_train_shape *shape;
    const float *params;
} source;

static uint32_t value_bits(void *ctx, nope_mf_tensor t, uint32_t layer, uint64_t index)
{
    const source *src = ctx;
    nope_train_tensor at = nope_train_tensor_of(src->shape, (nope_train_kind)t, layer);
    return nope_mf_f32_bits(src->params[at.offset + index]);
}

nope_mf_status nope_train_model_encode(const nope_train_shape *s, const float *params, uint8_t *dst, size_t cap,
                                       size_t *size)
{
    const nope_mf_dims dims = nope_train_model_dims(s);
    source src = {s, params};
    return nope_model_file_encode(&dims, value_bits, &src, dst, cap, size);
}

#endif
