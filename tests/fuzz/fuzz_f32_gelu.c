/* nope_kern_gelu_f32 (and nope_kern_activate, both activations) against the double tanh-form
 * GELU: |g - g_ref| <= 2^-22 (1 + |x|), the bound tests/unit/test_f32_kernels.c states; ReLU is
 * exact. Inputs are any finite float. */
#include "fuzz_util.h"

#include "nope/kernels.h"

static double gelu_ref(double x)
{
    return 0.5 * x * (1.0 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    float xs[64], g[64], r[64];
    size_t n = 0;
    while (in.n >= 4 && n < 64) {
        uint32_t u = take_u32(&in);
        float x = f32_of_bits(u);
        if (!isfinite(x))
            continue;
        if (u & 1) /* half of them at |x| < 16, where GELU is not yet x or 0 */
            x = f32_of_bits((u & 0x807FFFFFu) | ((0x68u + (u >> 23) % 24u) << 23));
        xs[n] = g[n] = r[n] = x;
        n++;
    }
    nope_kern_activate(g, n, NOPE_ACT_GELU);
    nope_kern_activate(r, n, NOPE_ACT_RELU);
    for (size_t k = 0; k < n; k++) {
        double x = xs[k], want = gelu_ref(x);
        if (!isfinite(want)) /* x^3 overflows in double only beyond 1e102: not a float */
            continue;
        FUZZ_CHECK(bits_of_f32(g[k]) == bits_of_f32(nope_kern_gelu_f32(xs[k])),
                   "activate(gelu) differs from nope_kern_gelu_f32 at %a", xs[k]);
        FUZZ_CHECK(fabs((double)g[k] - want) <= 0x1p-22 * (1.0 + fabs(x)),
                   "gelu(%a [bits %08x]) = %a, reference %a: error %.3g > 2^-22 (1 + |x|)", xs[k],
                   (unsigned)bits_of_f32(xs[k]), g[k], want, fabs((double)g[k] - want));
        float relu = xs[k] > 0.0f ? xs[k] : 0.0f;
        FUZZ_CHECK(r[k] == relu, "relu(%a) = %a", xs[k], r[k]);
    }
    return 0;
}
