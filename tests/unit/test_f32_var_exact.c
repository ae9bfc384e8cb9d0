/* nope_var_unbiased_exact (the integer variance for cores without double hardware) against the
 * double code it stands for, bit for bit, on random and adversarial float inputs. */
#include "test_util.h"

#include "nope/kernels.h"
#include "nope/var_exact.h"

/* The double code it stands for: nope_kern_var_unbiased on this host, which has double hardware
 * and so never takes the integer path. */
static double var_double(const float *y, size_t n)
{
    return nope_kern_var_unbiased(y, n);
}

static uint64_t state = 0x9e3779b97f4a7c15u;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}
static double unit(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}
static double gauss(void)
{
    double s = 0;
    for (int k = 0; k < 12; k++)
        s += unit();
    return s - 6.0;
}
static float any_float(void) /* any finite bits */
{
    union {
        uint32_t u;
        float f;
    } b;
    do
        b.u = (uint32_t)next();
    while (((b.u >> 23) & 0xff) == 0xff);
    return b.f;
}

/* One input of length n in style s (0..7). */
static void fill(float *y, size_t n, int s)
{
    double scale = ldexp(1.0, (int)(next() % 200) - 100), shift = gauss() * ldexp(1.0, (int)(next() % 40) - 20);
    for (size_t k = 0; k < n; k++) {
        switch (s) {
        case 0: y[k] = (float)(gauss() * scale); break;                                       /* centred */
        case 1: y[k] = (float)((gauss() + shift) * scale); break;                             /* off centre */
        case 2: y[k] = (float)((int)(next() % 9) - 4) * (float)scale; break;                  /* small integers: ties */
        case 3: y[k] = (float)(1.0 + ldexp((double)(next() % 8), -21)) * (float)scale; break; /* near-equal */
        case 4: y[k] = next() % 4 == 0 ? 0.0f : (float)(gauss() * scale); break;              /* zeros */
        case 5: y[k] = (float)(gauss() * ldexp(1.0, (int)(next() % 30) - 15)); break;         /* wide spread */
        case 6: y[k] = any_float(); break;
        default: y[k] = (float)(gauss() * 1e-42); break; /* subnormal floats */
        }
    }
}

static void test_same_doubles(void **state_)
{
    (void)state_;
    static const size_t sizes[] = {2, 3, 5, 7, 31, 32, 33, 63, 64, 65, 100, 768, 1000};
    static float y[1000];
    int64_t points = nope_test_points(200000), taken = 0, total = 0;
    for (int64_t p = 0; p < points; p++) {
        size_t n = sizes[next() % (sizeof sizes / sizeof sizes[0])];
        if (n > 100 && next() % 8 != 0)
            n = 64;
        fill(y, n, (int)(next() % 8));
        double got = -1.0, want = var_double(y, n);
        total++;
        if (!nope_var_unbiased_exact(y, n, &got))
            continue;
        taken++;
        if (memcmp(&got, &want, sizeof got) != 0)
            fail_msg("n=%zu: %a, the double code %a", n, got, want);
    }
    /* the fast path must be the common case, or the test proves little */
    assert_true(taken > total / 2);
}

static void test_corners(void **state_)
{
    (void)state_;
    float two[2] = {1.0f, 3.0f}, zero[4] = {0.0f, -0.0f, 0.0f, 0.0f}, one[1] = {1.0f};
    double v;
    assert_true(nope_var_unbiased_exact(two, 2, &v) && v == 2.0);
    assert_true(nope_var_unbiased_exact(zero, 4, &v) && v == 0.0 && !signbit(v));
    assert_false(nope_var_unbiased_exact(one, 1, &v));
    float inf[2] = {1.0f, INFINITY}, nan[2] = {NAN, 1.0f}, wide[2] = {1.0f, 1e-20f};
    assert_false(nope_var_unbiased_exact(inf, 2, &v));
    assert_false(nope_var_unbiased_exact(nan, 2, &v));
    assert_false(nope_var_unbiased_exact(wide, 2, &v)); /* the double sum would round */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_same_doubles), cmocka_unit_test(test_corners)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
