/* nope_rng_gauss_q24 against a double-precision inverse normal CDF (Wichura's AS241, PPND16,
 * relative error about 1e-16), as rng.h states it: the sign bit chooses the side, the other 31
 * bits the quantile p = (m + 1/2) / 2^32; |result| <= 6.24 * 2^24.
 *   - within 1e-5 relative of the reference (rng.h), plus one unit of Q24 for the rounding of a
 *     quantile near 0 (where 1e-5 relative is below the Q24 step);
 *   - symmetric: bits with the sign bit set give exactly minus the result without it;
 *   - monotone in the 31 magnitude bits: m < m' gives |z(m)| >= |z(m')| (p moves to 1/2). */
#include "fuzz_util.h"

#include "nope/rng.h"

/* Wichura, Algorithm AS241: The percentage points of the normal distribution (1988), PPND16. */
/* (The polynomials keep AS241's layout, which a formatter would scatter.) */
// clang-format off
static double ppnd16(double p)
{
    double q = p - 0.5, r, val;
    if (fabs(q) <= 0.425) {
        r = 0.180625 - q * q;
        val = q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
                       45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
                     133.14166789178437745) * r + 3.387132872796366608) /
              (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
                   21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
                 42.313330701600911252) * r + 1.0);
        return val;
    }
    r = q < 0 ? p : 1.0 - p;
    r = sqrt(-log(r));
    if (r <= 5.0) {
        r -= 1.6;
        val = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
                   1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
                 4.6303378461565452959) * r + 1.42343711074968357734) /
              (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
                   0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
                 2.05319162663775882187) * r + 1.0);
    } else {
        r -= 5.0;
        val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
                   0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
                 5.4637849111641143699) * r + 6.6579046435011037772) /
              (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
                   7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
                 0.59983220655588793769) * r + 1.0);
    }
    return q < 0 ? -val : val;
}
// clang-format on

static void check(uint32_t bits)
{
    uint32_t m = bits & 0x7FFFFFFFu;
    int32_t z = nope_rng_gauss_q24(m), z_neg = nope_rng_gauss_q24(m | 0x80000000u);
    FUZZ_CHECK(z_neg == -z, "gauss: bits %08x gives %d, with the sign bit %d: not symmetric", (unsigned)m, (int)z,
               (int)z_neg);
    /* sign bit 0 is the lower tail p < 1/2 or the upper: the magnitude is what rng.h states */
    double p = ((double)m + 0.5) / 4294967296.0;
    double want = fabs(ppnd16(p)) * 16777216.0;
    double mag = z < 0 ? -(double)z : (double)z;
    FUZZ_CHECK(fabs(mag - want) <= 1e-5 * want + 1.0,
               "gauss: m = %u (p = %.17g): |z| = %.0f / 2^24 = %.9g, reference %.9g: relative %.3g", (unsigned)m, p,
               mag, mag / 16777216.0, want / 16777216.0, fabs(mag - want) / want);
    FUZZ_CHECK(mag <= 6.34 * 16777216.0, "gauss: m = %u: |z| = %.9g > 6.34", (unsigned)m, mag / 16777216.0);
    if (m < 0x7FFFFFFFu) {
        int32_t next = nope_rng_gauss_q24(m + 1);
        FUZZ_CHECK(z >= 0 && next >= 0 && next <= z, "gauss: not monotone: m = %u gives %d, m + 1 gives %d",
                   (unsigned)m, (int)z, (int)next);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = {data, size};
    while (in.n >= 4) {
        uint32_t u = take_u32(&in);
        check(u);
        check(u >> (u & 31)); /* every octave of m, down to the 64-entry tail table */
    }
    return 0;
}
