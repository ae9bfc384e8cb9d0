/* The model file (docs/model-format.md): a trained pre-LN NoPE model as one little-endian byte
 * string, parsed and validated where it lies (a host buffer, or flash on a board: nothing is
 * copied, nothing allocated), read one weight at a time, and written by the encoder.
 *
 * Every number of the file is assembled from its bytes, so a file in flash needs neither
 * alignment nor the host's byte order. No floating point in the fixed-point build: a weight is
 * read as its IEEE-754 bits and converted to the fixed format with integers; the float reader
 * exists in the float32 build only. */
#ifndef NOPE_MODEL_FILE_H
#define NOPE_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/num.h"

/* ---- The layout (version 1) ---- */
#define NOPE_MF_MAGIC "NOPEMDL" /* 8 bytes with its terminating zero */
#define NOPE_MF_MAGIC_BYTES 8
#define NOPE_MF_VERSION 1
#define NOPE_MF_HEADER_BYTES 64 /* bytes before the first tensor */
#define NOPE_MF_CRC_BYTES 4     /* the trailing CRC-32 */
/* Tensor numeric formats; version 1 knows one. 0 is no format, so a zeroed header is refused. */
#define NOPE_MF_FORMAT_F32 1
/* LayerNorm epsilon: the range --eps allows, as float32 bits (positive floats order as integers):
 * 0x2b8cbccc is 1e-12 rounded to nearest, 0x3f800000 is 1. */
#define NOPE_MF_EPS_BITS_MIN UINT32_C(0x2b8cbccc)
#define NOPE_MF_EPS_BITS_MAX UINT32_C(0x3f800000)

/* The tensors, in file order: the embedding, then per layer LN1_GAIN .. W2, then the final LN.
 * Shapes (row-major, [in][out] for the matrices: y = x W, element i * out + j):
 *   EMBED vocab x d; LN*_GAIN, LN*_BIAS d; WQ WK WV WO d x d; W1 d x ffn; W2 ffn x d. */
typedef enum {
    NOPE_MF_EMBED = 0,
    NOPE_MF_LN1_GAIN = 1,
    NOPE_MF_LN1_BIAS = 2,
    NOPE_MF_WQ = 3,
    NOPE_MF_WK = 4,
    NOPE_MF_WV = 5,
    NOPE_MF_WO = 6,
    NOPE_MF_LN2_GAIN = 7,
    NOPE_MF_LN2_BIAS = 8,
    NOPE_MF_W1 = 9,
    NOPE_MF_W2 = 10,
    NOPE_MF_LNF_GAIN = 11,
    NOPE_MF_LNF_BIAS = 12
} nope_mf_tensor;
#define NOPE_MF_TENSORS 13
#define NOPE_MF_FIRST_LAYER_TENSOR NOPE_MF_LN1_GAIN
#define NOPE_MF_LAST_LAYER_TENSOR NOPE_MF_W2

/* The shape of a model: the header's fields. eps is held as its float32 bits. */
typedef struct {
    uint32_t d, heads, layers, ffn, vocab, seq;
    nope_act act;
    uint32_t eps_bits;
} nope_mf_dims;

/* Every outcome of parsing or encoding; nope_mf_status_text names each. */
typedef enum {
    NOPE_MF_OK = 0,
    NOPE_MF_ERR_SHORT,        /* fewer bytes than a header and a checksum */
    NOPE_MF_ERR_MAGIC,        /* does not begin with NOPEMDL\0 */
    NOPE_MF_ERR_VERSION,      /* a version this build does not read */
    NOPE_MF_ERR_HEADER_SIZE,  /* header size field is not 64 */
    NOPE_MF_ERR_FORMAT,       /* tensor numeric format is not float32 */
    NOPE_MF_ERR_RESERVED,     /* reserved header bytes not zero */
    NOPE_MF_ERR_D,            /* d outside 2..NOPE_MAX_D */
    NOPE_MF_ERR_HEADS,        /* heads outside 1..NOPE_MAX_HEADS */
    NOPE_MF_ERR_LAYERS,       /* layers outside 1..NOPE_MAX_LAYERS */
    NOPE_MF_ERR_FFN,          /* ffn outside 1..NOPE_MAX_FFN */
    NOPE_MF_ERR_VOCAB,        /* vocab outside 1..NOPE_MAX_VOCAB */
    NOPE_MF_ERR_SEQ,          /* longest sequence outside 2..NOPE_MAX_SEQ */
    NOPE_MF_ERR_HEADS_DIVIDE, /* heads does not divide d */
    NOPE_MF_ERR_HEAD_DIM,     /* d / heads over NOPE_MAX_HEAD_DIM */
    NOPE_MF_ERR_ACT,          /* activation code neither relu (0) nor gelu (1) */
    NOPE_MF_ERR_EPS,          /* epsilon not a float in 1e-12..1 */
    NOPE_MF_ERR_TRUNCATED,    /* fewer bytes than the dimensions need */
    NOPE_MF_ERR_TRAILING,     /* more bytes than the dimensions need */
    NOPE_MF_ERR_CHECKSUM,     /* CRC-32 differs */
    NOPE_MF_ERR_NONFINITE,    /* a NaN or infinity in a tensor */
    NOPE_MF_ERR_DST_SMALL     /* encode: the destination cannot hold the file */
} nope_mf_status;
#define NOPE_MF_STATUSES 22

/* One line (no newline) naming the problem and, for a capacity, this build's limit. */
const char *nope_mf_status_text(nope_mf_status st);

/* A parsed file: its shape, the caller's bytes (never copied), and its checksum. On a failure the
 * fields read so far are filled: dims once the version is known, expected_size once the dims
 * pass, and the first non-finite value's place for NOPE_MF_ERR_NONFINITE. */
typedef struct {
    nope_mf_dims dims;
    const uint8_t *bytes;
    size_t size;
    uint32_t crc;           /* the file's CRC-32 (its last 4 bytes) */
    uint64_t expected_size; /* what the dimensions need */
    nope_mf_tensor bad_tensor;
    uint32_t bad_layer;
    uint64_t bad_index;
} nope_model_file;

/* CRC-32 of IEEE 802.3 (reflected polynomial 0xEDB88320), as zlib.crc32 computes it: start with
 * crc = 0, and pass the result back in to continue over more bytes. crc32("123456789") = 0xCBF43926. */
uint32_t nope_crc32(uint32_t crc, const uint8_t *bytes, size_t n);

/* NOPE_MF_OK when every field is within this build's capacities and consistent (the checks of
 * nope_model_file_parse on the header), else the first field that is not. */
nope_mf_status nope_mf_dims_check(const nope_mf_dims *dims);

/* Bytes of the file for dims (header, tensors, CRC); 0 when nope_mf_dims_check fails. */
uint64_t nope_mf_file_size(const nope_mf_dims *dims);

/* Values in tensor t (the same for every layer); its byte offset from the file's start in layer
 * `layer` (ignored for the embedding and the final LN). dims must pass nope_mf_dims_check. */
uint64_t nope_mf_tensor_len(const nope_mf_dims *dims, nope_mf_tensor t);
uint64_t nope_mf_tensor_offset(const nope_mf_dims *dims, nope_mf_tensor t, uint32_t layer);

/* Validates everything (docs/model-format.md, "What a reader checks") in that order and fills out.
 * Nothing is copied: out->bytes is `bytes`, which must outlive out. */
nope_mf_status nope_model_file_parse(const uint8_t *bytes, size_t size, nope_model_file *out);

/* A little-endian uint32 from 4 bytes at p, whatever p's alignment and the machine's byte order. */
static inline uint32_t nope_mf_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The float32 bits of value `index` of tensor t in `layer` of a parsed file; 0 for a place
 * outside the file's tensors (so a bad index reads zero, never past the buffer). */
uint32_t nope_model_file_bits(const nope_model_file *mf, nope_mf_tensor t, uint32_t layer, size_t index);

/* ---- Fixed point: a float32 weight as an integer with `frac` fraction bits ----
 * Rounded to nearest, ties towards +infinity (as the core's nope_fx_round_shr), then saturated to
 * [lo, hi]. The matrices take the weight format of the fixed matmul, Q20 (NOPE_DRAW_FRAC_BITS)
 * with |q| < 2^24, the bound its exact sums assume; the embedding and the LayerNorm gains and
 * biases take the activation format, Q(NOPE_Q_FRAC) over the whole int32 range. */
typedef struct {
    unsigned frac;
    int32_t lo, hi;
} nope_mf_fixed_format;

/* The fixed format of tensor t for a build with `q_frac` activation fraction bits (NOPE_Q_FRAC). */
nope_mf_fixed_format nope_mf_fixed_format_of(nope_mf_tensor t, unsigned q_frac);

/* What a conversion did: exact or rounded, saturated to lo or hi, or a non-zero value flushed to 0. */
typedef enum { NOPE_MF_CONV_FITS = 0, NOPE_MF_CONV_SATURATED = 1, NOPE_MF_CONV_FLUSHED = 2 } nope_mf_conv;

/* bits (a float32) in format f; *what (when not NULL) says what happened. A NaN becomes 0 and an
 * infinity saturates (a parsed file has neither). Integers only. */
int32_t nope_mf_fixed_from_bits(uint32_t bits, nope_mf_fixed_format f, nope_mf_conv *what);

/* Over every value of a parsed file: how many saturate and how many non-zero ones become 0. */
typedef struct {
    uint64_t values, saturated, flushed;
} nope_mf_fixed_counts;
nope_mf_fixed_counts nope_model_file_fixed_counts(const nope_model_file *mf, unsigned q_frac);

#if NOPE_NUM == NOPE_NUM_F32
/* float32 build: the float with these bits, and back (a union: defined in C11, no memcpy). */
typedef union {
    uint32_t u;
    float f;
} nope_mf_f32_pun;
static inline float nope_mf_f32_from_bits(uint32_t bits)
{
    nope_mf_f32_pun v = {.u = bits};
    return v.f;
}
static inline uint32_t nope_mf_f32_bits(float f)
{
    nope_mf_f32_pun v = {.f = f};
    return v.u;
}
#endif

/* Value `index` of tensor t in `layer` as this build's number: the float itself (float32), or
 * the fixed format of nope_mf_fixed_format_of(t, NOPE_Q_FRAC), saturating silently: the count is
 * nope_model_file_fixed_counts's. */
nope_num_t nope_model_file_num(const nope_model_file *mf, nope_mf_tensor t, uint32_t layer, size_t index);

/* ---- Writing ---- */
/* The float32 bits of value `index` of tensor t in `layer` (0 for tensors outside layers). */
typedef uint32_t (*nope_mf_source)(void *ctx, nope_mf_tensor t, uint32_t layer, uint64_t index);

/* Writes the whole file for dims into dst (cap bytes): header, every value from src in file
 * order, CRC-32. *size = the file's bytes (also when dst is too small, so a caller can size it).
 * Refuses what a parser refuses: dims out of range (the check's status), a NaN or an infinity
 * (NOPE_MF_ERR_NONFINITE), and dst too small (NOPE_MF_ERR_DST_SMALL, nothing written). */
nope_mf_status nope_model_file_encode(const nope_mf_dims *dims, nope_mf_source src, void *ctx, uint8_t *dst, size_t cap,
                                      size_t *size);

#endif
