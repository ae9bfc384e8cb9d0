/* Integers wider than the machine's, exactly and the same on every target (32-bit ARM has no
 * __int128, and the core relies on no compiler extension): unsigned 128-bit integers, an exact
 * signed sum of int64 values, unsigned 512-bit integers, bit lengths and integer square roots.
 * The one place for this arithmetic: the decimal conversions (both modes), the fixed-point
 * kernels, moments and summary are written over it. Integers only, so the fixed-point mode
 * stays free of floating point. Checked in tests/unit/test_wide.c against __int128 and values
 * computed in the test. */
#ifndef NOPE_WIDE_H
#define NOPE_WIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bits needed to write v: 0 for 0, 64 for v >= 2^63. */
unsigned nope_bitlen64(uint64_t v);

/* floor(sqrt(v)) for every uint64 v, exactly. */
uint32_t nope_isqrt64(uint64_t v);

/* ---- Unsigned 128-bit integers: hi 2^64 + lo. Arithmetic is modulo 2^128 unless stated;
 * the small operations are inline because the kernels' inner loops use them. ---- */
typedef struct {
    uint64_t hi, lo;
} nope_u128;

static inline nope_u128 nope_u128_from_u64(uint64_t v)
{
    nope_u128 r = {0, v};
    return r;
}

static inline bool nope_u128_less(nope_u128 a, nope_u128 b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static inline nope_u128 nope_u128_add(nope_u128 a, nope_u128 b)
{
    nope_u128 r = {a.hi + b.hi, a.lo + b.lo};
    r.hi += r.lo < a.lo ? 1u : 0u;
    return r;
}

/* a - b, a >= b. */
static inline nope_u128 nope_u128_sub(nope_u128 a, nope_u128 b)
{
    nope_u128 r = {a.hi - b.hi - (a.lo < b.lo ? 1u : 0u), a.lo - b.lo};
    return r;
}

/* a b, exactly (< 2^128). */
static inline nope_u128 nope_u128_mul64(uint64_t a, uint64_t b)
{
    uint64_t a0 = a & UINT32_MAX, a1 = a >> 32, b0 = b & UINT32_MAX, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & UINT32_MAX) + (p10 & UINT32_MAX); /* < 3 2^32 */
    nope_u128 r = {p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (mid << 32) | (p00 & UINT32_MAX)};
    return r;
}

static inline nope_u128 nope_u128_mul_u32(nope_u128 a, uint32_t m)
{
    uint64_t l0 = (a.lo & UINT32_MAX) * m, l1 = (a.lo >> 32) * m;
    uint64_t lo = l0 + (l1 << 32);
    nope_u128 r = {a.hi * m + (l1 >> 32) + (lo < l0 ? 1u : 0u), lo};
    return r;
}

/* a 2^s, 0 <= s <= 127. */
static inline nope_u128 nope_u128_shl(nope_u128 a, unsigned s)
{
    if (s >= 64)
        return (nope_u128){a.lo << (s - 64), 0};
    return (nope_u128){a.hi << s | (s > 0 ? a.lo >> (64 - s) : 0), a.lo << s};
}

/* floor(a / 2^s), 0 <= s <= 127. */
static inline nope_u128 nope_u128_shr(nope_u128 a, unsigned s)
{
    if (s >= 64)
        return (nope_u128){0, a.hi >> (s - 64)};
    return (nope_u128){a.hi >> s, a.lo >> s | (s > 0 ? a.hi << (64 - s) : 0)};
}

unsigned nope_u128_bitlen(nope_u128 a);

/* a / 2^s rounded to nearest, ties up, 1 <= s <= 127: the floor plus the first dropped bit. */
nope_u128 nope_u128_shr_round(nope_u128 a, unsigned s);

/* a / 2^k rounded to nearest (ties up) for the smallest k that leaves the result below 2^64;
 * *k is that k. A 64-bit-significand floating value: exact when a < 2^64 (k = 0). */
uint64_t nope_u128_round_u64(nope_u128 a, unsigned *k);

/* a / d rounded to nearest (ties up), 0 < d < 2^32, any quotient. */
nope_u128 nope_u128_div_u32_round(nope_u128 a, uint32_t d);

/* a / d rounded to nearest (ties up), d > 0, for a quotient known to be below 2^64. */
uint64_t nope_u128_div_round_u64(nope_u128 a, uint64_t d);

/* ---- An exact signed sum of int64 values, kept as hi 2^32 + lo (lo unsigned): up to 2^32
 * values of any size without overflow, where an int64 sum of products would overflow. ---- */
typedef struct {
    int64_t hi;
    uint64_t lo;
} nope_wide_sum;

static inline void nope_wide_sum_add(nope_wide_sum *s, int64_t v)
{
    uint64_t low = (uint64_t)v & UINT32_MAX;
    /* v - low is v with its low 32 bits cleared (never below INT64_MIN, a multiple of 2^32):
     * the division is exact, so this is floor(v / 2^32) with no shift of a negative value. */
    s->hi += (v - (int64_t)low) / ((int64_t)1 << 32);
    s->lo += low;
}

/* The same value with lo in [0, 2^32). */
static inline nope_wide_sum nope_wide_sum_norm(nope_wide_sum s)
{
    nope_wide_sum r = {s.hi + (int64_t)(s.lo >> 32), s.lo & UINT32_MAX};
    return r;
}

/* |s| and its sign (*neg: s < 0). */
nope_u128 nope_wide_sum_abs(nope_wide_sum s, bool *neg);

/* ---- Unsigned big integers: little-endian uint32 limbs, 512 bits, modulo 2^512. Operations
 * work in place (r op= a) so that a small board's stack holds few of them. The fixed-point
 * summary's largest value stays below 2^460 (summary_fixed.c gives the budget). ---- */
enum { NOPE_BIG_LIMBS = 16 };
typedef struct {
    uint32_t w[NOPE_BIG_LIMBS];
} nope_big;

void nope_big_set_u64(nope_big *r, uint64_t v);
void nope_big_set_u128(nope_big *r, nope_u128 v);
bool nope_big_is_zero(const nope_big *a);
unsigned nope_big_bitlen(const nope_big *a);
/* The low 64 bits. */
uint64_t nope_big_low_u64(const nope_big *a);
/* -1, 0, 1 as a < b, a == b, a > b. */
int nope_big_cmp(const nope_big *a, const nope_big *b);
void nope_big_add(nope_big *r, const nope_big *a); /* r += a */
void nope_big_sub(nope_big *r, const nope_big *a); /* r -= a, r >= a */
void nope_big_mul_u32(nope_big *r, uint32_t m);    /* r *= m */
void nope_big_mul_u64(nope_big *r, uint64_t m);    /* r *= m */
void nope_big_mul_pow10(nope_big *r, unsigned p);  /* r *= 10^p */
void nope_big_shl(nope_big *r, unsigned s);        /* r *= 2^s */
/* r = a b; r is neither a nor b. */
void nope_big_mul(nope_big *r, const nope_big *a, const nope_big *b);
/* q = floor(a / b), b != 0; q is neither a nor b. */
void nope_big_div(nope_big *q, const nope_big *a, const nope_big *b);
/* a = floor(sqrt(a)). */
void nope_big_isqrt(nope_big *a);

/* ---- Unsigned integers of n little-endian uint32 words: the exact sums over trials, which
 * shards of one run add up in any order to the same bits. ---- */
unsigned nope_words_bitlen(const uint32_t *w, unsigned n);
/* w = 0. */
void nope_words_clear(uint32_t *w, unsigned n);
/* w += t 2^s (t of tn words), exactly: false, and w unchanged, when the sum could need more
 * than n words (that is, when max(bitlen(w), bitlen(t) + s) >= 32 n). */
bool nope_words_add_shifted(uint32_t *w, unsigned n, const uint32_t *t, unsigned tn, unsigned s);
/* w = floor(w / 2^s), any s. */
void nope_words_shr(uint32_t *w, unsigned n, unsigned s);
/* r = w (n <= NOPE_BIG_LIMBS). */
void nope_big_set_words(nope_big *r, const uint32_t *w, unsigned n);
/* w in lower-case hex without leading zeros ("0" for 0) into buf (8 n + 1 bytes); its length. */
size_t nope_words_to_hex(char *buf, const uint32_t *w, unsigned n);
/* text[0..len) as written by nope_words_to_hex into w: false for anything else (empty, a
 * leading zero, a byte not in 0-9a-f, a value over n words). */
bool nope_words_from_hex(uint32_t *w, unsigned n, const char *text, size_t len);

#endif
