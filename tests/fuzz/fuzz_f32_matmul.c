/* nope_kern_matmul_drawn (float32) with W[i][j] drawn here (element i row_stride + col0 + j of
 * the stream, kernels.h), for whole matrices and strips of columns of wider ones:
 *   - the same bits with the whole matrix in the weight buffer as with one other size the input
 *     picks (one row, rows and part of one, less than a row, one value);
 *   - in the last column and PICKS more the input picks, every row: exactly the float sum over i
 *     ascending (kernels.h: one rounding per + and *, nothing reassociated), and within the
 *     classic bound n u sum|a w| (u = 2^-24, tests/unit/test_f32_kernels.c) of the double
 *     product.
 * Drawing the weights is most of the time per input (each product draws all of them), so the
 * reference draws only the columns it checks, and shapes are small unless the input asks for
 * large ones, up to just past the kernel's tiles (fuzz_util.h: take_matmul_shape). Weight buffers
 * are allocated to their exact capacity, so ASan sees any write past it. */
#include "fuzz_util.h"

#include "nope/kernels.h"

enum { PICKS = 4 };

static float *product(const float *a, size_t rows, size_t n_in, size_t n_out, const nope_weights *w, size_t cap)
{
    float *wbuf = malloc(cap * sizeof *wbuf), *out = malloc(rows * n_out * sizeof *out);
    nope_kern_matmul_drawn(out, a, rows, n_in, n_out, w, wbuf, cap);
    free(wbuf);
    return out;
}

/* out[r][j] = got against a (n_in) . column j of W (wcol): the float sum in order, bit for bit,
 * and the double product within the bound. */
static void check(float got, const float *a, const float *wcol, size_t n_in, size_t r, size_t j, size_t n_out)
{
    float exact = 0.0f;
    double want = 0, magnitude = 0;
    for (size_t i = 0; i < n_in; i++) {
        exact += a[i] * wcol[i];
        double term = (double)a[i] * wcol[i];
        want += term;
        magnitude += fabs(term);
    }
    FUZZ_CHECK(bits_of_f32(got) == bits_of_f32(exact),
               "matmul %zu -> %zu: out[%zu][%zu] = %a, the float sum in order is %a", n_in, n_out, r, j, got, exact);
    FUZZ_CHECK(fabs(got - want) <= (double)n_in * 0x1p-24 * magnitude,
               "matmul %zu -> %zu: out[%zu][%zu] = %.9g, want %.9g (bound %.3g)", n_in, n_out, r, j, got, want,
               (double)n_in * 0x1p-24 * magnitude);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t rows, n_in, n_out;
    take_matmul_shape(&in, &rows, &n_in, &n_out);
    nope_weights w = take_weights(&in, n_out);
    int hi_exp = (int)take_range(&in, 0, 8) - 4;
    size_t cap = take_wbuf_cap(&in, n_in, n_out);
    size_t cols[PICKS + 1] = {n_out - 1};
    for (int c = 1; c <= PICKS; c++)
        cols[c] = take_range(&in, 0, n_out - 1);
    float *a = malloc(rows * n_in * sizeof *a);
    fuzz_cycle cyc = {in, in};
    for (size_t k = 0; k < rows * n_in; k++) {
        fuzz_in *src = fuzz_cycle_next(&cyc, 3);
        a[k] = src ? take_moderate_f32(src, hi_exp - 12, hi_exp) : 1.0f;
    }
    float *out = product(a, rows, n_in, n_out, &w, n_in * n_out), *other = product(a, rows, n_in, n_out, &w, cap);
    FUZZ_CHECK(memcmp(other, out, rows * n_out * sizeof(float)) == 0,
               "matmul %zux%zu -> %zu: weight buffer of %zu values gives other bits than one of %zu", rows, n_in, n_out,
               cap, n_in * n_out);
    float *wcol = malloc(n_in * sizeof *wcol);
    for (int c = 0; c <= PICKS; c++) {
        size_t j = cols[c];
        for (size_t i = 0; i < n_in; i++) {
            uint64_t e = fuzz_weight_element(&w, n_out, i, j);
            wcol[i] = nope_num_from_draw(nope_rng_gauss_draw(w.stream, e, w.scale_q));
            FUZZ_CHECK(nope_kern_weight(&w, n_out, i, j) == wcol[i], "nope_kern_weight(%zu, %zu) is not element %llu",
                       i, j, (unsigned long long)e);
        }
        for (size_t r = 0; r < rows; r++)
            check(out[r * n_out + j], a + r * n_in, wcol, n_in, r, j, n_out);
    }
    free(wcol);
    free(out);
    free(other);
    free(a);
    return 0;
}
