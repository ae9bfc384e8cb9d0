/* Wide integers and integer square roots (nope/wide.h), exactly: every result against unsigned
 * __int128 or against a value the test writes down (2^k - 1, (2^64 - 1)^2, powers of ten,
 * perfect squares and their neighbours), edges first (zero, all ones, carries across every
 * limb), then random operands spread over every size. */
#include "test_util.h"

#include "nope/wide.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

static u128 to_native(nope_u128 a)
{
    return (u128)a.hi << 64 | a.lo;
}

static nope_u128 from_native(u128 a)
{
    nope_u128 r = {(uint64_t)(a >> 64), (uint64_t)a};
    return r;
}

/* Random 128-bit operands of every bit length, so carries, zeros and small values all occur. */
static u128 random_u128(uint64_t *rng)
{
    u128 v = (u128)nope_test_splitmix(rng) << 64 | nope_test_splitmix(rng);
    return v >> (nope_test_splitmix(rng) % 128);
}

static const u128 ALL_ONES = ~(u128)0;

static void test_bitlen64(void **state)
{
    (void)state;
    assert_int_equal(nope_bitlen64(0), 0);
    for (unsigned k = 0; k < 64; k++) {
        assert_int_equal(nope_bitlen64(UINT64_C(1) << k), k + 1);
        assert_int_equal(nope_bitlen64((UINT64_C(1) << k) - 1), k);
        assert_int_equal(nope_bitlen64(UINT64_MAX >> k), 64 - k);
    }
    nope_u128 z = {0, 0}, top = {UINT64_C(1) << 63, 0}, one_hi = {1, 0};
    assert_int_equal(nope_u128_bitlen(z), 0);
    assert_int_equal(nope_u128_bitlen(top), 128);
    assert_int_equal(nope_u128_bitlen(one_hi), 65);
    assert_int_equal(nope_u128_bitlen(nope_u128_from_u64(UINT64_MAX)), 64);
}

/* floor(sqrt(v)) = r exactly when r^2 <= v < (r + 1)^2. */
static void assert_isqrt64(uint64_t v)
{
    u128 r = nope_isqrt64(v);
    assert_true(r * r <= v && (r + 1) * (r + 1) > v);
}

static void test_isqrt64(void **state)
{
    (void)state;
    /* perfect squares and their neighbours: r^2 - 1, r^2, r^2 + 1 give r - 1, r, r */
    const uint64_t roots[] = {1, 2, 3, 4, 255, 256, 65535, 65536, UINT32_MAX - 1, UINT32_MAX};
    for (size_t k = 0; k < sizeof roots / sizeof roots[0]; k++) {
        uint64_t r = roots[k], sq = r * r;
        assert_int_equal(nope_isqrt64(sq), r);
        assert_int_equal(nope_isqrt64(sq - 1), r - 1);
        assert_int_equal(nope_isqrt64(sq + 1), r);
    }
    assert_int_equal(nope_isqrt64(0), 0);
    /* 2^k - 1: 2^(k/2) - 1 for even k; for odd k, 2^64 - 1 included, the defining inequality */
    for (unsigned k = 1; k <= 64; k++) {
        uint64_t v = k == 64 ? UINT64_MAX : (UINT64_C(1) << k) - 1;
        if (k % 2 == 0)
            assert_int_equal(nope_isqrt64(v), (UINT64_C(1) << (k / 2)) - 1);
        assert_isqrt64(v);
        assert_isqrt64(v + 1 == 0 ? v : v + 1);
    }
    assert_int_equal(nope_isqrt64(UINT64_MAX), UINT32_MAX);
    uint64_t rng = 3;
    for (int64_t k = 0; k < nope_test_points(1000000); k++)
        assert_isqrt64(nope_test_splitmix(&rng) >> (k % 64));
}

static void test_u128_add_sub_carry(void **state)
{
    (void)state;
    /* the low word's carry and borrow */
    nope_u128 r = nope_u128_add(nope_u128_from_u64(UINT64_MAX), nope_u128_from_u64(1));
    assert_true(r.hi == 1 && r.lo == 0);
    r = nope_u128_sub(r, nope_u128_from_u64(1));
    assert_true(r.hi == 0 && r.lo == UINT64_MAX);
    /* all ones + 1 wraps to zero (modulo 2^128); 0 - 0, x - x */
    r = nope_u128_add(from_native(ALL_ONES), nope_u128_from_u64(1));
    assert_true(r.hi == 0 && r.lo == 0);
    r = nope_u128_sub(from_native(ALL_ONES), from_native(ALL_ONES));
    assert_true(r.hi == 0 && r.lo == 0);
    assert_true(nope_u128_less(nope_u128_from_u64(UINT64_MAX), from_native((u128)1 << 64)));
    assert_false(nope_u128_less(from_native((u128)1 << 64), nope_u128_from_u64(UINT64_MAX)));
    assert_false(nope_u128_less(from_native(ALL_ONES), from_native(ALL_ONES)));

    uint64_t rng = 11;
    for (int64_t k = 0; k < nope_test_points(200000); k++) {
        u128 a = random_u128(&rng), b = random_u128(&rng);
        assert_true(to_native(nope_u128_add(from_native(a), from_native(b))) == a + b);
        u128 hi = a > b ? a : b, lo = a > b ? b : a;
        assert_true(to_native(nope_u128_sub(from_native(hi), from_native(lo))) == hi - lo);
        assert_true(nope_u128_less(from_native(a), from_native(b)) == (a < b));
    }
}

static void test_u128_multiply(void **state)
{
    (void)state;
    /* (2^64 - 1)^2 = 2^128 - 2^65 + 1 */
    nope_u128 r = nope_u128_mul64(UINT64_MAX, UINT64_MAX);
    assert_true(r.hi == UINT64_MAX - 1 && r.lo == 1);
    r = nope_u128_mul64(0, UINT64_MAX);
    assert_true(r.hi == 0 && r.lo == 0);
    r = nope_u128_mul64(UINT64_C(1) << 32, UINT64_C(1) << 32);
    assert_true(r.hi == 1 && r.lo == 0);
    /* all ones times 2^32 - 1, modulo 2^128 */
    assert_true(to_native(nope_u128_mul_u32(from_native(ALL_ONES), UINT32_MAX)) == ALL_ONES * UINT32_MAX);
    assert_true(to_native(nope_u128_mul_u32(from_native(ALL_ONES), 0)) == 0);

    uint64_t rng = 12;
    for (int64_t k = 0; k < nope_test_points(200000); k++) {
        uint64_t a = nope_test_splitmix(&rng) >> (k % 64), b = nope_test_splitmix(&rng) >> (k % 61);
        assert_true(to_native(nope_u128_mul64(a, b)) == (u128)a * b);
        u128 c = random_u128(&rng);
        uint32_t m = (uint32_t)(nope_test_splitmix(&rng) >> (k % 32));
        assert_true(to_native(nope_u128_mul_u32(from_native(c), m)) == c * m);
    }
}

static void test_u128_shifts(void **state)
{
    (void)state;
    const unsigned edges[] = {0, 1, 31, 32, 63, 64, 65, 96, 127};
    const u128 values[] = {
        0, 1, ALL_ONES, (u128)UINT64_MAX, (u128)1 << 64, (u128)1 << 127, ALL_ONES >> 1, (u128)0xDEADBEEF << 50};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        for (size_t j = 0; j < sizeof edges / sizeof edges[0]; j++) {
            u128 v = values[i];
            unsigned s = edges[j];
            assert_true(to_native(nope_u128_shl(from_native(v), s)) == v << s);
            assert_true(to_native(nope_u128_shr(from_native(v), s)) == v >> s);
            if (s >= 1) {
                /* floor plus the first dropped bit: round to nearest, ties up */
                u128 want = (v >> s) + ((v >> (s - 1)) & 1);
                assert_true(to_native(nope_u128_shr_round(from_native(v), s)) == want);
            }
        }
    }
    /* ties go up, just below a tie goes down */
    assert_true(to_native(nope_u128_shr_round(nope_u128_from_u64(3), 1)) == 2); /* 1.5 */
    assert_true(to_native(nope_u128_shr_round(nope_u128_from_u64(5), 2)) == 1); /* 1.25 */
    assert_true(to_native(nope_u128_shr_round(nope_u128_from_u64(6), 2)) == 2); /* 1.5 */
    /* (2^128 - 1) / 2^127 = 2 - 2^-127: rounds to 2 */
    assert_true(to_native(nope_u128_shr_round(from_native(ALL_ONES), 127)) == 2);
}

static void test_u128_round_u64(void **state)
{
    (void)state;
    unsigned k;
    /* below 2^64: exact, k = 0 */
    assert_true(nope_u128_round_u64(nope_u128_from_u64(UINT64_MAX), &k) == UINT64_MAX && k == 0);
    assert_true(nope_u128_round_u64(nope_u128_from_u64(0), &k) == 0 && k == 0);
    /* 2^64: one bit dropped, 2^63 2^1 */
    assert_true(nope_u128_round_u64(from_native((u128)1 << 64), &k) == UINT64_C(1) << 63 && k == 1);
    /* 2^65 - 1 = (2^64 - 1/2) 2^1 rounds up to 2^64 2^1: carried into 2^63 2^2 */
    assert_true(nope_u128_round_u64(from_native(((u128)1 << 65) - 1), &k) == UINT64_C(1) << 63 && k == 2);
    /* all ones: 2^128 = 2^63 2^65 */
    assert_true(nope_u128_round_u64(from_native(ALL_ONES), &k) == UINT64_C(1) << 63 && k == 65);
    /* 2^64 + 1 = (2^63 + 1/2) 2^1: a tie, up */
    assert_true(nope_u128_round_u64(from_native(((u128)1 << 64) + 1), &k) == (UINT64_C(1) << 63) + 1 && k == 1);

    uint64_t rng = 13;
    for (int64_t n = 0; n < nope_test_points(200000); n++) {
        u128 a = random_u128(&rng);
        uint64_t r = nope_u128_round_u64(from_native(a), &k);
        /* r 2^k is a rounded to nearest, ties up, with k the bits above 64 (one more when the
         * rounding carries), so that r keeps 64 significant bits */
        unsigned k0 = nope_bitlen64((uint64_t)(a >> 64));
        u128 want = k0 == 0 ? a : (a >> k0) + ((a >> (k0 - 1)) & 1);
        if (want >> 64 == 0)
            assert_true(r == (uint64_t)want && k == k0);
        else
            assert_true(r == UINT64_C(1) << 63 && k == k0 + 1);
        if (k0 > 0)
            assert_true(r >> 63 == 1);
    }
}

static void test_u128_divide(void **state)
{
    (void)state;
    /* by 1, by 2^32 - 1, ties up */
    assert_true(to_native(nope_u128_div_u32_round(from_native(ALL_ONES), 1)) == ALL_ONES);
    assert_true(to_native(nope_u128_div_u32_round(from_native(ALL_ONES), UINT32_MAX)) ==
                ALL_ONES / UINT32_MAX + ((ALL_ONES % UINT32_MAX) * 2 >= UINT32_MAX));
    assert_true(to_native(nope_u128_div_u32_round(nope_u128_from_u64(3), 2)) == 2);
    assert_true(to_native(nope_u128_div_u32_round(nope_u128_from_u64(0), 7)) == 0);
    assert_true(nope_u128_div_round_u64(nope_u128_from_u64(3), 2) == 2);
    assert_true(nope_u128_div_round_u64(nope_u128_from_u64(5), 3) == 2);
    assert_true(nope_u128_div_round_u64(nope_u128_from_u64(4), 3) == 1); /* 1.33: down, odd d */
    assert_true(nope_u128_div_round_u64(nope_u128_from_u64(1), 3) == 0);
    /* the largest quotient: (2^64 - 1) d + (d - 1) / 2, for d = 2^64 - 1 */
    u128 big_a = (u128)UINT64_MAX * UINT64_MAX + (UINT64_MAX - 1) / 2;
    assert_true(nope_u128_div_round_u64(from_native(big_a), UINT64_MAX) == UINT64_MAX);

    uint64_t rng = 14;
    for (int64_t k = 0; k < nope_test_points(200000); k++) {
        u128 a = random_u128(&rng);
        uint32_t d = (uint32_t)(nope_test_splitmix(&rng) >> (k % 32)) | 1u;
        u128 q = a / d, r = a % d;
        assert_true(to_native(nope_u128_div_u32_round(from_native(a), d)) == q + (r >= d - r));
        /* a quotient below 2^64: a = q d + r */
        uint64_t d64 = (nope_test_splitmix(&rng) >> (k % 64)) | 1u;
        uint64_t q64 = nope_test_splitmix(&rng) >> (k % 63);
        uint64_t r64 = nope_test_splitmix(&rng) % d64;
        u128 a64 = (u128)q64 * d64 + r64;
        uint64_t want = q64 + (r64 >= d64 - r64 ? 1 : 0);
        if (want >= q64) /* the rounded quotient itself fits */
            assert_true(nope_u128_div_round_u64(from_native(a64), d64) == want);
    }
}

static void test_wide_sum(void **state)
{
    (void)state;
    /* 2^20 times INT64_MIN and INT64_MAX: far past int64, exact */
    nope_wide_sum lo = {0, 0}, hi = {0, 0};
    for (int k = 0; k < 1 << 20; k++) {
        nope_wide_sum_add(&lo, INT64_MIN);
        nope_wide_sum_add(&hi, INT64_MAX);
    }
    bool neg;
    assert_true(to_native(nope_wide_sum_abs(lo, &neg)) == (u128)1 << 83 && neg);
    assert_true(to_native(nope_wide_sum_abs(hi, &neg)) == (((u128)1 << 63) - 1) << 20 && !neg);
    nope_wide_sum zero = {0, 0};
    assert_true(to_native(nope_wide_sum_abs(zero, &neg)) == 0 && !neg);
    nope_wide_sum minus_one = {0, 0};
    nope_wide_sum_add(&minus_one, -1);
    nope_wide_sum n1 = nope_wide_sum_norm(minus_one);
    assert_true(n1.hi == -1 && n1.lo == UINT32_MAX);
    assert_true(to_native(nope_wide_sum_abs(minus_one, &neg)) == 1 && neg);

    uint64_t rng = 15;
    for (int rep = 0; rep < 200; rep++) {
        nope_wide_sum s = {0, 0};
        i128 want = 0;
        for (int k = 0; k < 500; k++) {
            int64_t v = (int64_t)nope_test_splitmix(&rng) >> (nope_test_splitmix(&rng) % 64);
            nope_wide_sum_add(&s, v);
            want += v;
        }
        nope_wide_sum n = nope_wide_sum_norm(s);
        assert_true(n.lo < (UINT64_C(1) << 32) && (i128)n.hi * ((i128)1 << 32) + (i128)n.lo == want);
        u128 mag = to_native(nope_wide_sum_abs(s, &neg));
        assert_true(neg == (want < 0) && mag == (u128)(want < 0 ? -want : want));
    }
}

/* ---- 512 bits ---- */

static void big_from_native(nope_big *r, u128 v)
{
    nope_big_set_u128(r, from_native(v));
}

/* The value of r, which must fit 128 bits. */
static u128 big_to_native(const nope_big *r)
{
    for (unsigned k = 4; k < NOPE_BIG_LIMBS; k++)
        assert_int_equal(r->w[k], 0);
    return (u128)r->w[3] << 96 | (u128)r->w[2] << 64 | (u128)r->w[1] << 32 | r->w[0];
}

static void big_pow10(nope_big *r, unsigned p)
{
    nope_big_set_u64(r, 1);
    nope_big_mul_pow10(r, p);
}

static void test_big_against_u128(void **state)
{
    (void)state;
    uint64_t rng = 16;
    for (int64_t k = 0; k < nope_test_points(20000); k++) {
        u128 a = random_u128(&rng) >> 1, b = random_u128(&rng) >> 1;
        nope_big x, y, z;
        big_from_native(&x, a);
        big_from_native(&y, b);
        assert_int_equal(nope_big_cmp(&x, &y), a < b ? -1 : (a > b ? 1 : 0));
        assert_int_equal(nope_big_is_zero(&x), a == 0);
        assert_int_equal(nope_big_bitlen(&x), nope_u128_bitlen(from_native(a)));
        assert_true(nope_big_low_u64(&x) == (uint64_t)a);
        z = x;
        nope_big_add(&z, &y);
        assert_true(big_to_native(&z) == a + b);
        if (a >= b) {
            z = x;
            nope_big_sub(&z, &y);
            assert_true(big_to_native(&z) == a - b);
        }
        uint64_t m = nope_test_splitmix(&rng) >> (k % 64), s = a >> 64, t = b >> 64;
        u128 small = a >> 64;
        big_from_native(&z, small);
        nope_big_mul_u64(&z, m);
        assert_true(big_to_native(&z) == small * m);
        big_from_native(&z, small);
        nope_big_mul_u32(&z, (uint32_t)m);
        assert_true(big_to_native(&z) == small * (uint32_t)m);
        nope_big u, v;
        big_from_native(&u, s);
        big_from_native(&v, t);
        nope_big_mul(&z, &u, &v);
        assert_true(big_to_native(&z) == (u128)s * t);
        unsigned sh = (unsigned)(k % 64);
        big_from_native(&z, small);
        nope_big_shl(&z, sh);
        assert_true(big_to_native(&z) == small << sh);
        if (b != 0) {
            nope_big_div(&z, &x, &y);
            assert_true(big_to_native(&z) == a / b);
        }
    }
}

static void test_big_edges(void **state)
{
    (void)state;
    /* all ones: + 1 carries through every limb to zero (modulo 2^512); 2^511 - 1 + 1 = 2^511 */
    nope_big ones, one, r;
    for (unsigned k = 0; k < NOPE_BIG_LIMBS; k++)
        ones.w[k] = UINT32_MAX;
    nope_big_set_u64(&one, 1);
    r = ones;
    nope_big_add(&r, &one);
    assert_true(nope_big_is_zero(&r));
    r = ones;
    nope_big_sub(&r, &ones);
    assert_true(nope_big_is_zero(&r));
    assert_int_equal(nope_big_bitlen(&ones), 512);
    nope_big_set_u64(&r, 1);
    nope_big_shl(&r, 511);
    assert_int_equal(nope_big_bitlen(&r), 512);
    assert_int_equal(r.w[NOPE_BIG_LIMBS - 1], UINT32_C(1) << 31);
    nope_big_sub(&r, &one);
    for (unsigned k = 0; k < NOPE_BIG_LIMBS; k++)
        assert_int_equal(r.w[k], k + 1 < NOPE_BIG_LIMBS ? UINT32_MAX : UINT32_MAX >> 1);

    /* shifts across limbs agree with repeated doubling */
    for (unsigned s = 0; s < 480; s += 37) {
        nope_big a, b;
        nope_big_set_u64(&a, UINT64_C(0xF0E1D2C3B4A59687));
        b = a;
        nope_big_shl(&a, s);
        for (unsigned k = 0; k < s; k++)
            nope_big_mul_u32(&b, 2);
        assert_memory_equal(&a, &b, sizeof a);
    }

    /* powers of ten: 10^p by mul_pow10 equals p multiplications by 10, and 10^150 / 10^75 = 10^75
     * exactly, with (10^150 - 1) / 10^75 = 10^75 - 1 */
    for (unsigned p = 0; p <= 154; p += 11) {
        nope_big a, b;
        big_pow10(&a, p);
        nope_big_set_u64(&b, 1);
        for (unsigned k = 0; k < p; k++)
            nope_big_mul_u32(&b, 10);
        assert_memory_equal(&a, &b, sizeof a);
    }
    nope_big a, b, q, want;
    big_pow10(&a, 150);
    big_pow10(&b, 75);
    nope_big_div(&q, &a, &b);
    assert_int_equal(nope_big_cmp(&q, &b), 0);
    nope_big_sub(&a, &one);
    nope_big_div(&q, &a, &b);
    want = b;
    nope_big_sub(&want, &one);
    assert_int_equal(nope_big_cmp(&q, &want), 0);
    /* (10^75)^2 = 10^150 by the full product; 2^64 m by mul_u64 with m = 2^64 - 1 */
    nope_big_mul(&q, &b, &b);
    big_pow10(&a, 150);
    assert_int_equal(nope_big_cmp(&q, &a), 0);
    nope_big_set_u64(&a, UINT64_MAX);
    nope_big_mul_u64(&a, UINT64_MAX);
    assert_true(big_to_native(&a) == (u128)UINT64_MAX * UINT64_MAX);
}

/* r = floor(sqrt(v)): r^2 <= v < (r + 1)^2, in big integers. */
static void assert_is_root(const nope_big *v, const nope_big *r)
{
    nope_big sq, next = *r, one;
    nope_big_mul(&sq, r, r);
    assert_true(nope_big_cmp(&sq, v) <= 0);
    nope_big_set_u64(&one, 1);
    nope_big_add(&next, &one);
    nope_big_mul(&sq, &next, &next);
    assert_true(nope_big_cmp(&sq, v) > 0);
}

static void test_big_isqrt(void **state)
{
    (void)state;
    nope_big v, r, one, want;
    nope_big_set_u64(&one, 1);
    nope_big_set_u64(&v, 0);
    nope_big_isqrt(&v);
    assert_true(nope_big_is_zero(&v));
    /* perfect squares (10^k)^2 and their neighbours: root 10^k, 10^k, 10^k - 1 */
    for (unsigned k = 0; k <= 77; k += 7) { /* (10^77)^2 < 2^512 */
        nope_big sq, root;
        big_pow10(&root, k);
        nope_big_mul(&sq, &root, &root);
        v = sq;
        nope_big_isqrt(&v);
        assert_int_equal(nope_big_cmp(&v, &root), 0);
        v = sq;
        nope_big_add(&v, &one);
        nope_big_isqrt(&v);
        assert_int_equal(nope_big_cmp(&v, &root), 0);
        v = sq;
        nope_big_sub(&v, &one);
        nope_big_isqrt(&v);
        want = root;
        nope_big_sub(&want, &one);
        assert_int_equal(nope_big_cmp(&v, &want), 0);
    }
    /* 2^k - 1: root 2^(k/2) - 1 for even k; for odd k the defining inequality */
    for (unsigned k = 1; k <= 510; k++) {
        nope_big_set_u64(&v, 1);
        nope_big_shl(&v, k);
        nope_big_sub(&v, &one);
        r = v;
        nope_big_isqrt(&r);
        if (k % 2 == 0) {
            nope_big_set_u64(&want, 1);
            nope_big_shl(&want, k / 2);
            nope_big_sub(&want, &one);
            assert_int_equal(nope_big_cmp(&r, &want), 0);
        } else {
            assert_is_root(&v, &r);
        }
    }
    /* against 128-bit references */
    uint64_t rng = 17;
    for (int64_t k = 0; k < nope_test_points(3000); k++) {
        u128 a = random_u128(&rng) >> 1; /* (root + 1)^2 stays below 2^128 */
        big_from_native(&v, a);
        nope_big_isqrt(&v);
        u128 root = big_to_native(&v);
        assert_true(root * root <= a && (root + 1) * (root + 1) > a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bitlen64),           cmocka_unit_test(test_isqrt64),
        cmocka_unit_test(test_u128_add_sub_carry), cmocka_unit_test(test_u128_multiply),
        cmocka_unit_test(test_u128_shifts),        cmocka_unit_test(test_u128_round_u64),
        cmocka_unit_test(test_u128_divide),        cmocka_unit_test(test_wide_sum),
        cmocka_unit_test(test_big_against_u128),   cmocka_unit_test(test_big_edges),
        cmocka_unit_test(test_big_isqrt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
