/* nope_kern_matmul_drawn (float32): the same product whatever the weight buffer holds (the whole
 * matrix, one row, an odd size, less than a row, one value: bit-identical), and each output within the
 * classic bound n u sum|a w| (u = 2^-24, tests/unit/test_f32_kernels.c) of the double product
 * of the same inputs with W[i][j] drawn here (element i row_stride + col0 + j, kernels.h),
 * for whole matrices and strips of columns of wider ones. Shapes cross the kernel's tiles (64 rows
 * of W, 256 columns); weight buffers are allocated to their exact capacity, so ASan sees any
 * write past it. */
#include "fuzz_util.h"

#include "nope/kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t rows = take_range(&in, 1, 3), n_in = take_range(&in, 1, 140), n_out = take_range(&in, 1, 300);
    nope_weights w = take_weights(&in, n_out);
    int hi_exp = (int)take_range(&in, 0, 8) - 4;
    /* the whole matrix, one row, an odd number of rows, less than a row (strips of columns) */
    size_t caps[5] = {n_in * n_out, n_out, n_out * take_range(&in, 1, n_in) + take_range(&in, 0, n_out - 1),
                      take_range(&in, 1, n_out), 1};
    float *a = malloc(rows * n_in * sizeof *a);
    float *outs[5];
    fuzz_cycle cyc = {in, in};
    for (size_t k = 0; k < rows * n_in; k++) {
        fuzz_in *src = fuzz_cycle_next(&cyc, 3);
        a[k] = src ? take_moderate_f32(src, hi_exp - 12, hi_exp) : 1.0f;
    }
    for (int c = 0; c < 5; c++) {
        float *wbuf = malloc(caps[c] * sizeof *wbuf);
        outs[c] = malloc(rows * n_out * sizeof *outs[c]);
        nope_kern_matmul_drawn(outs[c], a, rows, n_in, n_out, &w, wbuf, caps[c]);
        free(wbuf);
        if (c > 0)
            FUZZ_CHECK(memcmp(outs[c], outs[0], rows * n_out * sizeof(float)) == 0,
                       "matmul %zux%zu -> %zu: weight buffer of %zu values gives other bits than one of %zu",
                       rows, n_in, n_out, caps[c], caps[0]);
    }
    double *wd = malloc(n_in * n_out * sizeof *wd);
    for (size_t i = 0; i < n_in; i++)
        for (size_t j = 0; j < n_out; j++) {
            /* W[i][j] is element i * row_stride + col0 + j of the stream (kernels.h) */
            uint64_t e = (uint64_t)i * (w.row_stride ? w.row_stride : n_out) + w.col0 + j;
            wd[i * n_out + j] = nope_num_from_draw(nope_rng_gauss_draw(w.stream, e, w.scale_q));
            FUZZ_CHECK(nope_kern_weight(&w, n_out, i, j) == (float)wd[i * n_out + j], "nope_kern_weight(%zu, %zu) is not element %llu",
                       i, j, (unsigned long long)e);
        }
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < n_out; j++) {
            double want = 0, magnitude = 0;
            for (size_t i = 0; i < n_in; i++) {
                double term = (double)a[r * n_in + i] * wd[i * n_out + j];
                want += term;
                magnitude += fabs(term);
            }
            double got = outs[0][r * n_out + j];
            FUZZ_CHECK(fabs(got - want) <= (double)n_in * 0x1p-24 * magnitude,
                       "matmul %zux%zu -> %zu: out[%zu][%zu] = %.9g, want %.9g (bound %.3g)", rows, n_in,
                       n_out, r, j, got, want, (double)n_in * 0x1p-24 * magnitude);
        }
    for (int c = 0; c < 5; c++)
        free(outs[c]);
    free(wd);
    free(a);
    return 0;
}
