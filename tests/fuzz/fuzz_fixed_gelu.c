/* nope_fx_gelu (through nope_kern_activate) against the exact tanh-form GELU in long double:
 * |error| <= 2 LSB of Q.F (math_fixed.h), every int32 activation; ReLU exact. */
#include "fuzz_fixed_kernels_util.h"

#include "nope/kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    int32_t x[64], g[64], r[64];
    size_t n = 0;
    while (in.n >= 4 && n < 64) {
        uint32_t u = take_u32(&in);
        x[n] = g[n] = r[n] = (u & 1) ? (int32_t)u : (int32_t)u >> (u >> 27); /* raw, or nearer 0 */
        n++;
    }
    nope_kern_activate(g, n, NOPE_ACT_GELU);
    nope_kern_activate(r, n, NOPE_ACT_RELU);
    for (size_t k = 0; k < n; k++) {
        long double xr = (long double)x[k] / Q_ONE;
        long double inner = sqrtl(2.0L / 3.14159265358979323846264338327950288L) * (xr + 0.044715L * xr * xr * xr);
        long double want = 0.5L * xr * (1.0L + tanhl(inner)) * Q_ONE;
        FUZZ_CHECK(fabsl((long double)g[k] - want) <= 2.0L, "gelu(%d / 2^%d) = %d, want %.4Lf: error %.3Lg LSB > 2",
                   (int)x[k], NOPE_Q_FRAC, (int)g[k], want, fabsl((long double)g[k] - want));
        FUZZ_CHECK(r[k] == (x[k] > 0 ? x[k] : 0), "relu(%d) = %d", (int)x[k], (int)r[k]);
    }
    return 0;
}
