/* What every CMocka unit test includes: cmocka's required headers in its required order, and
 * the few helpers the tests share. */
#ifndef NOPE_TEST_UTIL_H
#define NOPE_TEST_UTIL_H

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

/* Distance in units in the last place between two finite floats of the same sign or zero. */
static inline int64_t nope_test_ulp_distance(float a, float b)
{
    int32_t ia, ib;
    memcpy(&ia, &a, 4);
    memcpy(&ib, &b, 4);
    if (ia < 0)
        ia = INT32_MIN - ia;
    if (ib < 0)
        ib = INT32_MIN - ib;
    int64_t d = (int64_t)ia - (int64_t)ib;
    return d < 0 ? -d : d;
}

/* One ulp of float at |x| (its spacing there), for absolute bounds. */
static inline double nope_test_ulp_at(double x)
{
    x = x < 0 ? -x : x;
    int e = 0;
    while (x >= 2.0) { x /= 2.0; e++; }
    while (x < 1.0 && e > -126) { x *= 2.0; e--; }
    double u = 1.0;
    for (int k = 0; k < 23 - e; k++) u /= 2.0;
    for (int k = 0; k < e - 23; k++) u *= 2.0;
    return u;
}

#endif
