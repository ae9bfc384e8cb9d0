/* nope_f32_log against double log: absolute error <= 2 ulp of max(1, |ln x|) (math_float.h);
 * ln 0 = -inf, ln(x < 0) = NaN, ln inf = inf. Inputs are raw float bit patterns. */
#include "fuzz_util.h"

#include "nope/math_float.h"

static void check_log(float x)
{
    float got = nope_f32_log(x);
    uint32_t bits = bits_of_f32(x);
    if (isnan(x) || x < 0.0f) {
        FUZZ_CHECK(isnan(got), "log(%a [bits %08x]) = %a, want nan", x, (unsigned)bits, got);
        return;
    }
    if (x == 0.0f) {
        FUZZ_CHECK(isinf(got) && got < 0, "log(%a) = %a, want -inf", x, got);
        return;
    }
    if (isinf(x)) {
        FUZZ_CHECK(isinf(got) && got > 0, "log(inf) = %a, want inf", got);
        return;
    }
    double ref = log((double)x);
    double scale = f32_ulp(fabs(ref) > 1.0 ? ref : 1.0);
    double err = fabs((double)got - ref) / scale;
    FUZZ_CHECK(err <= 2.0, "log(%a [bits %08x]) = %a, reference %a: %.3f ulp of max(1,|ln x|) > 2", x, (unsigned)bits,
               got, ref, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    while (in.n >= 4) {
        uint32_t u = take_u32(&in);
        check_log(f32_of_bits(u));
        check_log(f32_of_bits((u & 0x007FFFFFu) | 0x3F000000u)); /* [0.5, 1): near ln 0 */
        check_log(f32_of_bits((u & 0x007FFFFFu) | 0x3F800000u)); /* [1, 2) */
    }
    return 0;
}
