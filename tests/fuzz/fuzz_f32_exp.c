/* nope_f32_exp against double exp: relative error <= 2 ulp of the result (math_float.h),
 * inf above the overflow threshold, 0 below the underflow one, NaN kept. Inputs are raw
 * float bit patterns, so every exponent, subnormals and specials included, is reachable. */
#include "fuzz_util.h"

#include "nope/math_float.h"

static void check_exp(float x)
{
    float got = nope_f32_exp(x);
    if (isnan(x)) {
        FUZZ_CHECK(isnan(got), "exp(nan) = %a, want nan", got);
        return;
    }
    double ref = exp((double)x);
    if (ref > (double)FLT_MAX) { /* the float result overflows: inf, or the largest float */
        FUZZ_CHECK(got >= FLT_MAX * (1.0f - 0x1p-22f), "exp(%a) = %a, want inf (ref %a)", x, got, ref);
        return;
    }
    double err = fabs((double)got - ref) / f32_ulp(ref);
    FUZZ_CHECK(err <= 2.0, "exp(%a [bits %08x]) = %a, reference %a: %.3f ulp > 2", x, (unsigned)bits_of_f32(x), got,
               ref, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    while (in.n >= 4) {
        uint32_t u = take_u32(&in);
        check_exp(f32_of_bits(u));
        /* the same mantissa squeezed into the interesting range |x| < 128 */
        check_exp(f32_of_bits((u & 0x807FFFFFu) | ((0x79u + (u >> 23) % 14u) << 23)));
    }
    return 0;
}
