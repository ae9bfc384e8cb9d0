/* nope_kern_matmul_drawn (fixed point) with W drawn here (element i row_stride + col0 + j of the
 * stream, kernels.h; whole matrices and strips of columns of wider ones):
 *   - the same bits and saturation count with the whole matrix in the weight buffer as with one
 *     other size the input picks (one row, rows and part of one, less than a row, one value);
 *   - exactly round(sum_i a_i W_ij / 2^20) (ties up) saturated to int32, computed here in 128
 *     bits, in the last column, PICKS more the input picks and every column with an output on
 *     an edge of int32, every row;
 *   - a saturation counted exactly when the exact result leaves int32: only an output on an
 *     edge can have saturated, so the columns checked decide the count.
 * Drawing the weights is most of the time per input (each product draws all of them), so the
 * reference draws only the columns it checks, and shapes are small unless the input asks for
 * large ones, up to just past the kernel's tiles (fuzz_util.h: take_matmul_shape). Activations of
 * any magnitude. */
#include "fuzz_fixed_kernels_util.h"

#include "nope/kernels.h"

enum { PICKS = 4 };

static int32_t *product(const int32_t *a, size_t rows, size_t n_in, size_t n_out, const nope_weights *w, size_t cap,
                        uint64_t *sats)
{
    int32_t *wbuf = malloc(cap * sizeof *wbuf), *out = malloc(rows * n_out * sizeof *out);
    nope_fx_saturations_reset();
    nope_kern_matmul_drawn(out, a, rows, n_in, n_out, w, wbuf, cap);
    *sats = nope_fx_saturations();
    free(wbuf);
    return out;
}

/* out[r][j] = got against round(a (n_in) . column j of W (wcol, Q20) / 2^20), ties up, in 128
 * bits and saturated; returns whether the exact value leaves int32. */
static bool check(int32_t got, const int32_t *a, const int32_t *wcol, size_t n_in, size_t r, size_t j, size_t n_out)
{
    __int128 sum = 0;
    for (size_t i = 0; i < n_in; i++)
        sum += (__int128)a[i] * wcol[i];
    /* floor((sum + 2^19) / 2^20) */
    __int128 t = sum + ((__int128)1 << (NOPE_DRAW_FRAC_BITS - 1)), d = (__int128)1 << NOPE_DRAW_FRAC_BITS;
    __int128 q = t / d - (t % d != 0 && t < 0);
    int32_t want = q > INT32_MAX ? INT32_MAX : (q < INT32_MIN ? INT32_MIN : (int32_t)q);
    FUZZ_CHECK(got == want, "matmul %zu -> %zu: out[%zu][%zu] = %d, want %d", n_in, n_out, r, j, (int)got, (int)want);
    return q > INT32_MAX || q < INT32_MIN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    size_t rows, n_in, n_out;
    take_matmul_shape(&in, &rows, &n_in, &n_out);
    nope_weights w = take_weights(&in, n_out);
    unsigned bits = (unsigned)take_range(&in, 1, 31);
    size_t cap = take_wbuf_cap(&in, n_in, n_out);
    size_t cols[PICKS + 1] = {n_out - 1};
    for (int c = 1; c <= PICKS; c++)
        cols[c] = take_range(&in, 0, n_out - 1);
    int32_t *a = malloc(rows * n_in * sizeof *a);
    fuzz_cycle cyc = {in, in};
    for (size_t k = 0; k < rows * n_in; k++) {
        fuzz_in *src = fuzz_cycle_next(&cyc, 3);
        a[k] = src ? take_act(src, bits) : NOPE_FX_ONE;
    }
    uint64_t sats, other_sats;
    int32_t *out = product(a, rows, n_in, n_out, &w, n_in * n_out, &sats);
    int32_t *other = product(a, rows, n_in, n_out, &w, cap, &other_sats);
    FUZZ_CHECK(memcmp(other, out, rows * n_out * sizeof(int32_t)) == 0 && other_sats == sats,
               "matmul %zux%zu -> %zu: weight buffer of %zu values gives other bits than one of %zu", rows, n_in, n_out,
               cap, n_in * n_out);
    int32_t *wcol = malloc(n_in * sizeof *wcol);
    uint64_t want_sats = 0;
    for (size_t j = 0; j < n_out; j++) {
        bool picked = false, edge = false;
        for (int c = 0; c <= PICKS; c++)
            picked |= cols[c] == j;
        for (size_t r = 0; r < rows; r++)
            edge |= out[r * n_out + j] == INT32_MAX || out[r * n_out + j] == INT32_MIN;
        if (!picked && !edge)
            continue;
        for (size_t i = 0; i < n_in; i++) {
            /* W[i][j] in Q20 */
            uint64_t e = fuzz_weight_element(&w, n_out, i, j);
            wcol[i] = nope_rng_gauss_draw(w.stream, e, w.scale_q);
            FUZZ_CHECK(!picked || nope_kern_weight(&w, n_out, i, j) == nope_num_from_draw(wcol[i]),
                       "nope_kern_weight(%zu, %zu) is not element %llu", i, j, (unsigned long long)e);
        }
        for (size_t r = 0; r < rows; r++)
            want_sats += check(out[r * n_out + j], a + r * n_in, wcol, n_in, r, j, n_out);
    }
    FUZZ_CHECK(sats == want_sats, "matmul counted %llu saturations, want %llu", (unsigned long long)sats,
               (unsigned long long)want_sats);
    free(wcol);
    free(out);
    free(other);
    free(a);
    return 0;
}
