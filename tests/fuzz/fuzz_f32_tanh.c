/* nope_f32_tanh against double tanh: absolute error <= 2^-23 (math_float.h), odd, in [-1, 1].
 * Inputs are raw float bit patterns plus the same mantissas at |x| < 16. */
#include "fuzz_util.h"

#include "nope/math_float.h"

static void check_tanh(float x)
{
    float got = nope_f32_tanh(x);
    if (isnan(x)) {
        FUZZ_CHECK(isnan(got), "tanh(nan) = %a", got);
        return;
    }
    double ref = tanh((double)x);
    FUZZ_CHECK(fabs((double)got - ref) <= 0x1p-23, "tanh(%a [bits %08x]) = %a, reference %a: error %.3g > 2^-23", x,
               (unsigned)bits_of_f32(x), got, ref, fabs((double)got - ref));
    FUZZ_CHECK(got >= -1.0f && got <= 1.0f, "tanh(%a) = %a outside [-1, 1]", x, got);
    FUZZ_CHECK(nope_f32_tanh(-x) == -got, "tanh(-%a) = %a, not -tanh(x) = %a", x, nope_f32_tanh(-x), -got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    while (in.n >= 4) {
        uint32_t u = take_u32(&in);
        check_tanh(f32_of_bits(u));
        check_tanh(f32_of_bits((u & 0x807FFFFFu) | ((0x70u + (u >> 23) % 20u) << 23)));
    }
    return 0;
}
