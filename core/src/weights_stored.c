/* A trained model's matrix as a weight source for the same matmul that draws random ones: the
 * block a product asks for is read from the file's little-endian float32 bytes where they lie
 * (host memory, or a board's flash), so no copy of the weights exists beyond the matmul's own
 * weight buffer. */
#include "nope/kernels.h"
#include "nope/model_file.h"

void nope_weights_stored_block(nope_num_t *wbuf, const nope_weights *w, size_t n_out, size_t row0, size_t n_rows,
                               size_t col0, size_t n_cols)
{
#if NOPE_NUM == NOPE_NUM_FIXED
    /* The matmul's weight format, Q20 with |q| < 2^24 (rounded, saturated silently: the run
     * reports the file's count, nope_model_file_fixed_counts). */
    const nope_mf_fixed_format f = nope_mf_fixed_format_of(NOPE_MF_WQ, NOPE_Q_FRAC);
#endif
    for (size_t i = 0; i < n_rows; i++) {
        const uint8_t *p = w->stored + 4 * nope_weights_element(w, n_out, row0 + i, col0);
        nope_num_t *row = wbuf + i * n_cols;
        for (size_t j = 0; j < n_cols; j++) {
            uint32_t bits = nope_mf_load_u32(p + 4 * j);
#if NOPE_NUM == NOPE_NUM_F32
            row[j] = nope_mf_f32_from_bits(bits);
#else
            row[j] = nope_mf_fixed_from_bits(bits, f, NULL);
#endif
        }
    }
}
