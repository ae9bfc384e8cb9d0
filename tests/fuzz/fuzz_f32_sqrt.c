/* nope_f32_sqrt is correctly rounded (math_float.h): bit-identical to IEEE sqrtf, for every
 * float bit pattern (sqrt(-0) = -0, sqrt(x < 0) = NaN). */
#include "fuzz_util.h"

#include "nope/math_float.h"

static void check_sqrt(float x)
{
    float got = nope_f32_sqrt(x), want = sqrtf(x);
    if (isnan(want)) {
        FUZZ_CHECK(isnan(got), "sqrt(%a) = %a, want nan", x, got);
        return;
    }
    FUZZ_CHECK(bits_of_f32(got) == bits_of_f32(want), "sqrt(%a [bits %08x]) = %a, IEEE says %a", x,
               (unsigned)bits_of_f32(x), got, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    while (in.n >= 4) {
        uint32_t u = take_u32(&in);
        check_sqrt(f32_of_bits(u));
        check_sqrt(f32_of_bits(u & 0x007FFFFFu)); /* subnormals */
    }
    return 0;
}
