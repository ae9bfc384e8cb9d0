/* Wide integer arithmetic (nope/wide.h): the operations too large to inline. */
#include "nope/wide.h"

/* Hosts: a count of leading zeros is one instruction there, and a branch the predictor cannot
 * guess (isqrt64's digits are coin flips) costs more than the arithmetic that replaces it. Small
 * cores keep the forms with the fewest instructions, which is what they are measured by. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__aarch64__))
#define WIDE_HOST 1
#else
#define WIDE_HOST 0
#endif

unsigned nope_bitlen64(uint64_t v)
{
#if WIDE_HOST
    return v == 0 ? 0 : 64 - (unsigned)__builtin_clzll(v);
#else
    /* Halve the search each step: six steps, whatever v, and no count-leading-zeros helper. */
    unsigned n = 0;
    for (unsigned step = 32; step > 0; step >>= 1) {
        if ((v >> step) != 0) {
            v >>= step;
            n += step;
        }
    }
    return n + (unsigned)v; /* v is now 0 or 1 */
#endif
}

uint32_t nope_isqrt64(uint64_t v)
{
    /* Digit by digit in base 4, from the highest pair of bits: exact, the same everywhere. */
    uint64_t res = 0, bit = UINT64_C(1) << 62;
#if WIDE_HOST
    if (v == 0)
        return 0;
    /* The same digits, each chosen by a mask instead of a branch. */
    for (bit = UINT64_C(1) << ((nope_bitlen64(v) - 1) & ~1u); bit != 0; bit >>= 2) {
        uint64_t trial = res + bit, take = -(uint64_t)(v >= trial);
        v -= trial & take;
        res = (res >> 1) + (bit & take);
    }
#else
    while (bit > v)
        bit >>= 2;
    while (bit != 0) {
        if (v >= res + bit) {
            v -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
#endif
    return (uint32_t)res;
}

/* ---- 128 bits ---- */

unsigned nope_u128_bitlen(nope_u128 a)
{
    return a.hi != 0 ? 64 + nope_bitlen64(a.hi) : nope_bitlen64(a.lo);
}

nope_u128 nope_u128_shr_round(nope_u128 a, unsigned s)
{
    uint64_t first_dropped = nope_u128_shr(a, s - 1).lo & 1u;
    return nope_u128_add(nope_u128_shr(a, s), nope_u128_from_u64(first_dropped));
}

uint64_t nope_u128_round_u64(nope_u128 a, unsigned *k)
{
    *k = a.hi != 0 ? nope_bitlen64(a.hi) : 0;
    if (*k == 0)
        return a.lo;
    nope_u128 r = nope_u128_shr_round(a, *k);
    if (r.hi != 0) { /* rounding carried to 2^64 */
        ++*k;
        return UINT64_C(1) << 63;
    }
    return r.lo;
}

nope_u128 nope_u128_div_u32_round(nope_u128 a, uint32_t d)
{
    /* A power of two (LayerNorm's and the variance's n, often): the same rounding as a shift,
     * without four 64-bit divisions, which a 32-bit core does in a library call. */
    if ((d & (d - 1)) == 0)
        return d == 1 ? a : nope_u128_shr_round(a, nope_bitlen64(d) - 1);
    /* Long division by 32-bit limbs, from the top: each step divides a value below d 2^32. */
    uint32_t limbs[4] = {(uint32_t)a.lo, (uint32_t)(a.lo >> 32), (uint32_t)a.hi, (uint32_t)(a.hi >> 32)};
    uint64_t rem = 0;
    for (int k = 3; k >= 0; k--) {
        uint64_t cur = rem << 32 | limbs[k];
        limbs[k] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    nope_u128 q = {(uint64_t)limbs[3] << 32 | limbs[2], (uint64_t)limbs[1] << 32 | limbs[0]};
    return nope_u128_add(q, nope_u128_from_u64(rem >= d - rem ? 1u : 0u));
}

uint64_t nope_u128_div_round_u64(nope_u128 a, uint64_t d)
{
    /* floor((a + floor(d/2)) / d), one bit at a time once the dividend leaves 64 bits; half
     * must round down: with ceil(d/2) an odd d would round a remainder of (d-1)/2 up. */
    uint64_t half = d / 2;
    uint64_t lo = a.lo + half;
    uint64_t hi = a.hi + (lo < half ? 1u : 0u);
    if (hi == 0)
        return lo / d;
    uint64_t q = 0, rem = hi; /* rem < d since the quotient fits 64 bits */
    for (int b = 63; b >= 0; b--) {
        uint64_t top = rem >> 63;
        rem = (rem << 1) | ((lo >> b) & 1u);
        q <<= 1;
        if (top || rem >= d) {
            rem -= d;
            q |= 1u;
        }
    }
    return q;
}

nope_u128 nope_wide_sum_abs(nope_wide_sum s, bool *neg)
{
    s = nope_wide_sum_norm(s);
    *neg = s.hi < 0;
    if (!*neg)
        return nope_u128_add(nope_u128_shl(nope_u128_from_u64((uint64_t)s.hi), 32), nope_u128_from_u64(s.lo));
    /* |hi 2^32 + lo| = (-hi - 1) 2^32 + (2^32 - lo), without negating INT64_MIN */
    nope_u128 mag = nope_u128_shl(nope_u128_from_u64((uint64_t)(-(s.hi + 1))), 32);
    return nope_u128_add(mag, nope_u128_from_u64((UINT64_C(1) << 32) - s.lo));
}

/* ---- 512 bits ---- */

void nope_big_set_u64(nope_big *r, uint64_t v)
{
    for (unsigned k = 2; k < NOPE_BIG_LIMBS; k++)
        r->w[k] = 0;
    r->w[0] = (uint32_t)v;
    r->w[1] = (uint32_t)(v >> 32);
}

void nope_big_set_u128(nope_big *r, nope_u128 v)
{
    nope_big_set_u64(r, v.lo);
    r->w[2] = (uint32_t)v.hi;
    r->w[3] = (uint32_t)(v.hi >> 32);
}

bool nope_big_is_zero(const nope_big *a)
{
    for (unsigned k = 0; k < NOPE_BIG_LIMBS; k++)
        if (a->w[k] != 0)
            return false;
    return true;
}

unsigned nope_big_bitlen(const nope_big *a)
{
    for (unsigned k = NOPE_BIG_LIMBS; k-- > 0;)
        if (a->w[k] != 0)
            return k * 32 + nope_bitlen64(a->w[k]);
    return 0;
}

uint64_t nope_big_low_u64(const nope_big *a)
{
    return (uint64_t)a->w[1] << 32 | a->w[0];
}

int nope_big_cmp(const nope_big *a, const nope_big *b)
{
    for (unsigned k = NOPE_BIG_LIMBS; k-- > 0;)
        if (a->w[k] != b->w[k])
            return a->w[k] < b->w[k] ? -1 : 1;
    return 0;
}

void nope_big_add(nope_big *r, const nope_big *a)
{
    uint64_t carry = 0;
    for (unsigned k = 0; k < NOPE_BIG_LIMBS; k++) {
        carry += (uint64_t)r->w[k] + a->w[k];
        r->w[k] = (uint32_t)carry;
        carry >>= 32;
    }
}

void nope_big_sub(nope_big *r, const nope_big *a)
{
    uint64_t borrow = 0;
    for (unsigned k = 0; k < NOPE_BIG_LIMBS; k++) {
        uint64_t d = (uint64_t)r->w[k] - a->w[k] - borrow;
        r->w[k] = (uint32_t)d;
        borrow = (d >> 32) & 1u;
    }
}

void nope_big_mul_u32(nope_big *r, uint32_t m)
{
    uint64_t carry = 0;
    for (unsigned k = 0; k < NOPE_BIG_LIMBS; k++) {
        carry += (uint64_t)r->w[k] * m;
        r->w[k] = (uint32_t)carry;
        carry >>= 32;
    }
}

void nope_big_mul_u64(nope_big *r, uint64_t m)
{
    /* r m_lo + (r m_hi) 2^32, the second added one limb up */
    uint64_t lo = (uint32_t)m, hi = m >> 32;
    if (hi == 0) {
        nope_big_mul_u32(r, (uint32_t)lo);
        return;
    }
    nope_big t = *r;
    nope_big_mul_u32(r, (uint32_t)lo);
    nope_big_mul_u32(&t, (uint32_t)hi);
    uint64_t carry = 0;
    for (unsigned k = 1; k < NOPE_BIG_LIMBS; k++) {
        carry += (uint64_t)r->w[k] + t.w[k - 1];
        r->w[k] = (uint32_t)carry;
        carry >>= 32;
    }
}

void nope_big_mul(nope_big *r, const nope_big *a, const nope_big *b)
{
    for (unsigned k = 0; k < NOPE_BIG_LIMBS; k++)
        r->w[k] = 0;
    for (unsigned i = 0; i < NOPE_BIG_LIMBS; i++) {
        if (a->w[i] == 0)
            continue;
        uint64_t carry = 0;
        for (unsigned j = 0; i + j < NOPE_BIG_LIMBS; j++) {
            carry += (uint64_t)a->w[i] * b->w[j] + r->w[i + j];
            r->w[i + j] = (uint32_t)carry;
            carry >>= 32;
        }
    }
}

void nope_big_shl(nope_big *r, unsigned s)
{
    /* from the top limb down, so that each limb is read before it is written */
    unsigned limbs = s / 32, bits = s % 32;
    for (unsigned k = NOPE_BIG_LIMBS; k-- > 0;) {
        uint32_t v = k >= limbs ? r->w[k - limbs] << bits : 0;
        if (bits != 0 && k > limbs)
            v |= r->w[k - limbs - 1] >> (32 - bits);
        r->w[k] = v;
    }
}

static void big_shr1(nope_big *r)
{
    for (unsigned k = 0; k < NOPE_BIG_LIMBS; k++)
        r->w[k] = (r->w[k] >> 1) | (k + 1 < NOPE_BIG_LIMBS ? r->w[k + 1] << 31 : 0);
}

void nope_big_mul_pow10(nope_big *r, unsigned p)
{
    for (; p >= 9; p -= 9)
        nope_big_mul_u32(r, UINT32_C(1000000000));
    uint32_t rest = 1;
    while (p-- > 0)
        rest *= 10;
    nope_big_mul_u32(r, rest);
}

void nope_big_div(nope_big *q, const nope_big *a, const nope_big *b)
{
    /* restoring long division, one bit of a at a time */
    nope_big rem;
    nope_big_set_u64(&rem, 0);
    nope_big_set_u64(q, 0);
    for (unsigned bit = nope_big_bitlen(a); bit-- > 0;) {
        nope_big_shl(&rem, 1);
        rem.w[0] |= (a->w[bit / 32] >> (bit % 32)) & 1u;
        if (nope_big_cmp(&rem, b) >= 0) {
            nope_big_sub(&rem, b);
            q->w[bit / 32] |= UINT32_C(1) << (bit % 32);
        }
    }
}

void nope_big_isqrt(nope_big *a)
{
    /* Bit by bit, a consumed as the remainder: the digit-by-digit root of nope_isqrt64. */
    nope_big res, bit;
    nope_big_set_u64(&res, 0);
    unsigned top = nope_big_bitlen(a);
    if (top == 0)
        return;
    nope_big_set_u64(&bit, 1);
    nope_big_shl(&bit, (top - 1) & ~1u);
    while (!nope_big_is_zero(&bit)) {
        /* if a >= res + bit: a -= res + bit, res = res/2 + bit; else res = res/2 */
        nope_big_add(&res, &bit);
        bool take = nope_big_cmp(a, &res) >= 0;
        if (take)
            nope_big_sub(a, &res);
        nope_big_sub(&res, &bit);
        big_shr1(&res);
        if (take)
            nope_big_add(&res, &bit);
        big_shr1(&bit);
        big_shr1(&bit);
    }
    *a = res;
}

/* ---- Word arrays ---- */

unsigned nope_words_bitlen(const uint32_t *w, unsigned n)
{
    for (unsigned k = n; k-- > 0;)
        if (w[k] != 0)
            return k * 32 + nope_bitlen64(w[k]);
    return 0;
}

void nope_words_clear(uint32_t *w, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        w[k] = 0;
}

bool nope_words_add_shifted(uint32_t *w, unsigned n, const uint32_t *t, unsigned tn, unsigned s)
{
    unsigned tl = nope_words_bitlen(t, tn);
    if (tl == 0)
        return true;
    /* bitlen(w) >= 32 n is w's top bit */
    if (s >= 32 * n || tl + s >= 32 * n || (w[n - 1] >> 31) != 0)
        return false; /* the sum could carry out of the top word */
    /* t 2^s from word s/32 up, each word t[j] << bits with the top of t[j-1] below; no word of
     * it lies above w's (tl + s < 32 n), so adding those words and then the carry is the sum. */
    unsigned bits = s % 32, k = s / 32;
    uint32_t prev = 0;
    uint64_t carry = 0;
    for (unsigned j = 0; j <= tn && k < n; j++, k++) {
        uint32_t cur = j < tn ? t[j] : 0;
        uint32_t v = bits > 0 ? cur << bits | prev >> (32 - bits) : cur;
        prev = cur;
        carry += (uint64_t)w[k] + v;
        w[k] = (uint32_t)carry;
        carry >>= 32;
    }
    for (; carry != 0 && k < n; k++) {
        carry += w[k];
        w[k] = (uint32_t)carry;
        carry >>= 32;
    }
    return true;
}

void nope_words_shr(uint32_t *w, unsigned n, unsigned s)
{
    unsigned whole = s / 32, bits = s % 32;
    for (unsigned k = 0; k < n; k++) {
        uint32_t lo = k + whole < n ? w[k + whole] >> bits : 0;
        uint32_t hi = (bits > 0 && k + whole + 1 < n) ? w[k + whole + 1] << (32 - bits) : 0;
        w[k] = lo | hi;
    }
}

void nope_big_set_words(nope_big *r, const uint32_t *w, unsigned n)
{
    for (unsigned k = 0; k < NOPE_BIG_LIMBS; k++)
        r->w[k] = k < n ? w[k] : 0;
}

size_t nope_words_to_hex(char *buf, const uint32_t *w, unsigned n)
{
    static const char digits[] = "0123456789abcdef";
    unsigned bits = nope_words_bitlen(w, n);
    size_t len = bits == 0 ? 1 : (bits + 3) / 4;
    for (size_t i = 0; i < len; i++) {
        size_t nibble = len - 1 - i;
        buf[i] = digits[(w[nibble / 8] >> (4 * (nibble % 8))) & 0xf];
    }
    buf[len] = '\0';
    return len;
}

bool nope_words_from_hex(uint32_t *w, unsigned n, const char *text, size_t len)
{
    if (len == 0 || len > 8 * (size_t)n || (len > 1 && text[0] == '0'))
        return false;
    nope_words_clear(w, n);
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        uint32_t v;
        if (c >= '0' && c <= '9')
            v = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = (uint32_t)(c - 'a' + 10);
        else
            return false;
        size_t nibble = len - 1 - i;
        w[nibble / 8] |= v << (4 * (nibble % 8));
    }
    return true;
}
