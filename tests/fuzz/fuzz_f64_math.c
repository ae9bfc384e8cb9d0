/* nope_f64_log (relative error <= 4 ulp) and nope_f64_sqrt (<= 1 ulp), math_float.h, against
 * long double logl/sqrtl, on raw double bit patterns: every exponent, subnormals included. */
#include "fuzz_util.h"

#include "nope/math_float.h"

static void check(double x)
{
    double lg = nope_f64_log(x), sq = nope_f64_sqrt(x);
    if (isnan(x) || x < 0.0) {
        FUZZ_CHECK(isnan(lg) && (isnan(sq) || x == 0.0), "f64 log/sqrt(%a) = %a / %a, want nan", x, lg, sq);
        return;
    }
    if (x == 0.0) {
        FUZZ_CHECK(isinf(lg) && lg < 0 && sq == 0.0, "f64 log/sqrt(0) = %a / %a", lg, sq);
        return;
    }
    if (isinf(x)) {
        FUZZ_CHECK(isinf(lg) && isinf(sq), "f64 log/sqrt(inf) = %a / %a", lg, sq);
        return;
    }
    long double lref = logl((long double)x), sref = sqrtl((long double)x);
    long double lerr = fabsl((long double)lg - lref) / f64_ulp(lref);
    long double serr = fabsl((long double)sq - sref) / f64_ulp(sref);
    FUZZ_CHECK(lref == 0 ? lg == 0.0 : lerr <= 4.0L, "f64 log(%a [bits %016llx]) = %a, reference %La: %.3Lf ulp > 4", x,
               (unsigned long long)bits_of_f64(x), lg, lref, lerr);
    FUZZ_CHECK(serr <= 1.0L, "f64 sqrt(%a [bits %016llx]) = %a, reference %La: %.3Lg ulp > 1", x,
               (unsigned long long)bits_of_f64(x), sq, sref, serr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    while (in.n >= 8) {
        uint64_t u = take_u64(&in);
        check(f64_of_bits(u));
        check(f64_of_bits((u & UINT64_C(0x000FFFFFFFFFFFFF)) | UINT64_C(0x3FE0000000000000))); /* [0.5, 1) */
    }
    return 0;
}
