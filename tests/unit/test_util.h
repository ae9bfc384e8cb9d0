/* What every CMocka unit test includes: cmocka's required headers in its required order, and
 * the few helpers the tests share. */
#ifndef NOPE_TEST_UTIL_H
#define NOPE_TEST_UTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Sanitizer builds set NOPE_TEST_QUICK=1: the same checks on fewer points. */
static inline int nope_test_quick(void)
{
    const char *q = getenv("NOPE_TEST_QUICK");
    return q != NULL && q[0] == '1';
}

/* How many random points a test checks: all of them, or a sixteenth in a sanitizer build. */
static inline int64_t nope_test_points(int64_t full)
{
    return nope_test_quick() ? full / 16 : full;
}

/* The spacing of floats at |x|, subnormals included: the unit of the ulp bounds. */
static inline double nope_test_float_ulp(double x)
{
    x = fabs(x);
    if (x < 0x1p-126)
        return 0x1p-149;
    int e;
    frexp(x, &e);
    return ldexp(1.0, e - 24);
}

/* Test inputs: SplitMix64, so a test's data are the same on every run. */
static inline uint64_t nope_test_splitmix(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

#endif
