/* nope_kern_matmul_drawn (fixed point): exactly round(sum_i a_i W_ij / 2^20) (ties up) saturated
 * to int32, computed here in 128 bits with W drawn here (element i row_stride + col0 + j of the
 * stream, kernels.h; whole matrices and strips of columns of wider ones), and bit-identical for
 * every weight-buffer size (the whole matrix, one row, an odd size, less than a row, one
 * value); a saturation is counted exactly when the exact result leaves int32. Activations of
 * any magnitude. */
#include "fuzz_fixed_kernels_util.h"

#include "nope/kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t rows = take_range(&in, 1, 3), n_in = take_range(&in, 1, 140), n_out = take_range(&in, 1, 300);
    nope_weights w = take_weights(&in, n_out);
    unsigned bits = (unsigned)take_range(&in, 1, 31);
    /* the whole matrix, one row, an odd number of rows, less than a row (strips of columns) */
    size_t caps[5] = {n_in * n_out, n_out, n_out * take_range(&in, 1, n_in) + take_range(&in, 0, n_out - 1),
                      take_range(&in, 1, n_out), 1};
    int32_t *a = malloc(rows * n_in * sizeof *a);
    int32_t *outs[5];
    uint64_t sats[5];
    fuzz_cycle cyc = {in, in};
    for (size_t k = 0; k < rows * n_in; k++) {
        fuzz_in *src = fuzz_cycle_next(&cyc, 3);
        a[k] = src ? take_act(src, bits) : NOPE_FX_ONE;
    }
    for (int c = 0; c < 5; c++) {
        int32_t *wbuf = malloc(caps[c] * sizeof *wbuf);
        outs[c] = malloc(rows * n_out * sizeof *outs[c]);
        nope_fx_saturations_reset();
        nope_kern_matmul_drawn(outs[c], a, rows, n_in, n_out, &w, wbuf, caps[c]);
        sats[c] = nope_fx_saturations();
        free(wbuf);
        if (c > 0)
            FUZZ_CHECK(memcmp(outs[c], outs[0], rows * n_out * sizeof(int32_t)) == 0 && sats[c] == sats[0],
                       "matmul %zux%zu -> %zu: weight buffer of %zu values gives other bits than one of %zu", rows,
                       n_in, n_out, caps[c], caps[0]);
    }
    int32_t *wq = malloc(n_in * n_out * sizeof *wq);
    for (size_t i = 0; i < n_in; i++)
        for (size_t j = 0; j < n_out; j++) {
            /* W[i][j] is element i * row_stride + col0 + j of the stream (kernels.h), in Q20 */
            uint64_t e = (uint64_t)i * (w.row_stride ? w.row_stride : n_out) + w.col0 + j;
            wq[i * n_out + j] = nope_rng_gauss_draw(w.stream, e, w.scale_q);
            FUZZ_CHECK(nope_kern_weight(&w, n_out, i, j) == nope_num_from_draw(wq[i * n_out + j]),
                       "nope_kern_weight(%zu, %zu) is not element %llu", i, j, (unsigned long long)e);
        }
    uint64_t want_sats = 0;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < n_out; j++) {
            __int128 sum = 0;
            for (size_t i = 0; i < n_in; i++)
                sum += (__int128)a[r * n_in + i] * wq[i * n_out + j];
            /* round(sum / 2^20), ties up: floor((sum + 2^19) / 2^20) */
            __int128 t = sum + ((__int128)1 << (NOPE_DRAW_FRAC_BITS - 1)), d = (__int128)1 << NOPE_DRAW_FRAC_BITS;
            __int128 q = t / d - (t % d != 0 && t < 0);
            int32_t want = q > INT32_MAX ? INT32_MAX : (q < INT32_MIN ? INT32_MIN : (int32_t)q);
            want_sats += q > INT32_MAX || q < INT32_MIN;
            FUZZ_CHECK(outs[0][r * n_out + j] == want, "matmul %zux%zu -> %zu: out[%zu][%zu] = %d, want %d", rows, n_in,
                       n_out, r, j, (int)outs[0][r * n_out + j], (int)want);
        }
    FUZZ_CHECK(sats[0] == want_sats, "matmul counted %llu saturations, want %llu", (unsigned long long)sats[0],
               (unsigned long long)want_sats);
    for (int c = 0; c < 5; c++)
        free(outs[c]);
    free(wq);
    free(a);
    return 0;
}
