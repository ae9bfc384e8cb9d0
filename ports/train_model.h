/* A trained model's flat parameters (nope/train.h) as the bytes of a model file
 * (nope/model_file.h): a straight copy in file order, header from the shape. float32 builds only. */
#ifndef NOPE_TRAIN_MODEL_H
#define NOPE_TRAIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "nope/model_file.h"
#include "nope/train.h"

/* The file's dimensions for a training shape. */
nope_mf_dims nope_train_model_dims(const nope_train_shape *s);

/* Writes the file into dst (cap bytes; nope_mf_file_size of the dims is enough). The encoder's
 * status: NOPE_MF_ERR_NONFINITE when a parameter is a NaN or an infinity (nothing to save). */
nope_mf_status nope_train_model_encode(const nope_train_shape *s, const float *params, uint8_t *dst, size_t cap,
                                       size_t *size);

#endif
