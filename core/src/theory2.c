/* Layer 1's theory beyond first order, in Q40 integers (the derivation is in docs/science.md,
 * "Beyond first order"). For one head and a query at position m, with z_n the logits divided by
 * their scale s (iid standard normal given the head's weights):
 *
 *   G(m) = A f + (B - C) / (d - 1),  A = E sum a_n^2,  B - C = E sum_{n != n'} a_n a_n' z_n z_n',
 *
 * a = softmax(s z), f = 1 + (m-1)/V for token inputs (repeats) and 1 for Gaussian ones. Both
 * expectations over m logits become one-dimensional through 1/S^2 = int_0^inf t e^{-tS} dt with
 * S = sum_n e^{s z_n}: with phi(t) = E e^{-t y}, y = e^{s z},
 *
 *   A     = m       int t^2 E[y^2 e^{-ty}] phi(t)^(m-1) dt / t,
 *   B - C = m (m-1) int (t E[z y e^{-ty}])^2 phi(t)^(m-2) dt / t,
 *
 * integrated over u = ln t (trapezoid, step 1/4) with E over z on a trapezoid grid of step
 * <= 0.6/s; both grids converge geometrically for these smooth integrands. The scale s varies
 * between heads and trials as s0 sqrt(U V), U = chi^2_(d/H) / (d/H) from the query's length and
 * V = chi^2_(d-1) / (d-1) from its key-side projection; a two-point Gauss rule in U V (its first
 * four moments exact) averages over that. */
#include "nope/theory2.h"

#include "nope/wide.h"

enum { F = NOPE_THEORY2_FRAC };
#define ONE ((int64_t)1 << F)
#define LN2_Q40 INT64_C(762123384786)    /* ln 2 2^40, rounded */
#define LOG2E_Q40 INT64_C(1586259972792) /* log2 e 2^40, rounded */
#define EXP_LOW (-28 * ONE)              /* e^x < 2^-40 below: 0 */
#define LN_Q_MAX (6 * LN2_Q40)           /* q = t y > 64: e^-q < 2^-92, nothing left to add */
#define LN_Q_MIN (-16 * ONE)             /* q < e^-16: q^2 terms below 2^-46 */
#define X_REACH (15 * ONE / 2)           /* z grid to |z| <= 7.5: e^{-z^2/2} < 2^-40 beyond */
#define U_STEP (ONE / 4)

/* ---- Q40 arithmetic: signed values as sign and magnitude, rounded to nearest, ties away
 * from zero (the same on every target). ---- */

static uint64_t mag(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static int64_t with_sign(uint64_t m, bool neg)
{
    return neg ? -(int64_t)m : (int64_t)m;
}

static int64_t q_mul(int64_t a, int64_t b)
{
    nope_u128 p = nope_u128_shr_round(nope_u128_mul64(mag(a), mag(b)), F);
    return with_sign(p.lo, (a < 0) != (b < 0));
}

/* a / b, b > 0, for a quotient below 2^23. */
static int64_t q_div(int64_t a, int64_t b)
{
    return with_sign(nope_u128_div_round_u64(nope_u128_shl(nope_u128_from_u64(mag(a)), F), (uint64_t)b), a < 0);
}

/* v / n for a whole n > 0. */
static int64_t div_int(int64_t v, int64_t n)
{
    return with_sign((mag(v) + (uint64_t)n / 2) / (uint64_t)n, v < 0);
}

/* num / den as Q40, num < 2^64, quotient below 2^23. */
static int64_t q_ratio(uint64_t num, uint64_t den)
{
    return (int64_t)nope_u128_div_round_u64(nope_u128_shl(nope_u128_from_u64(num), F), den);
}

/* sqrt(v), v >= 0: floor of the exact root. */
static int64_t q_sqrt(int64_t v)
{
    nope_big r;
    nope_big_set_u128(&r, nope_u128_shl(nope_u128_from_u64(mag(v)), F));
    nope_big_isqrt(&r);
    return (int64_t)nope_big_low_u64(&r);
}

/* e^x for x <= 15: relative error about 2^-39; 0 below EXP_LOW. */
static int64_t q_exp(int64_t x)
{
    if (x < EXP_LOW)
        return 0;
    /* x = k ln 2 + r, |r| <= ln2/2 plus a rounding: e^r by Horner, 13 terms (tail < 2^-60). */
    int64_t k = with_sign((mag(q_mul(x, LOG2E_Q40)) + (uint64_t)ONE / 2) >> F, x < 0);
    int64_t r = x - k * LN2_Q40;
    int64_t h = ONE;
    for (int64_t n = 13; n >= 1; n--)
        h = ONE + div_int(q_mul(r, h), n);
    if (k >= 0)
        return h << k;
    unsigned s = (unsigned)-k;
    return s >= 63 ? 0 : (int64_t)(((uint64_t)h + ((uint64_t)1 << (s - 1))) >> s);
}

/* base^n, base in [0, 1]. */
static int64_t q_pow(int64_t base, uint32_t n)
{
    int64_t r = ONE;
    for (; n > 0; n >>= 1) {
        if (n & 1u)
            r = q_mul(r, base);
        base = q_mul(base, base);
    }
    return r;
}

/* ---- The logits' scale and the two-point rule over its spread ---- */

int64_t nope_theory2_scale_q40(const nope_config *cfg, int64_t c_q40)
{
    /* sigma^2 d c = sigma_q^2 d c / 2^48; sigma_q^2 d < 2^60. */
    uint64_t sd = (uint64_t)cfg->sigma_q * cfg->sigma_q * cfg->d;
    return (int64_t)nope_u128_shr_round(nope_u128_mul64(sd, (uint64_t)c_q40), 2 * NOPE_SCALE_FRAC_BITS).lo;
}

typedef struct {
    int64_t scale, weight; /* s at the node and its probability, Q40 */
} scale_node;

/* X = U V has mean 1 and, with a = d/H and e = d-1, E X^2 = (a+2)(e+2)/(ae) and
 * E X^3 = (a+2)(a+4)(e+2)(e+4)/(ae)^2. The two-point rule with these moments: nodes
 * 1 + b -+ r, b = mu3 / (2 var), r = sqrt(b^2 + var), weights (r +- b) / (2r). */
static void scale_nodes(const nope_config *cfg, int64_t c_q40, scale_node node[2])
{
    uint64_t a = cfg->d / cfg->heads, e = cfg->d - 1, ae = a * e;
    int64_t var = q_ratio(2 * a + 2 * e + 4, ae);
    uint64_t m2 = (a + 2) * (e + 2), m3 = (a + 2) * (a + 4) * (e + 2) * (e + 4); /* < 2^41 */
    int64_t mu3 = q_ratio(m3 + 2 * ae * ae - 3 * m2 * ae, ae * ae);              /* E (X-1)^3 > 0 */
    int64_t b = q_div(mu3, 2 * var), r = q_sqrt(q_mul(b, b) + var);
    int64_t x_lo = ONE + b - r, s0 = nope_theory2_scale_q40(cfg, c_q40);
    if (x_lo < 0)
        x_lo = 0; /* never for chi-square products (the rule's nodes lie inside the support) */
    node[0].scale = q_mul(s0, q_sqrt(x_lo));
    node[1].scale = q_mul(s0, q_sqrt(ONE + b + r));
    node[1].weight = q_div(r - b, 2 * r);
    node[0].weight = ONE - node[1].weight;
}

bool nope_theory2_defined(const nope_config *cfg, int64_t c_q40)
{
    scale_node node[2];
    scale_nodes(cfg, c_q40, node);
    return node[1].scale <= NOPE_THEORY2_S_MAX * ONE;
}

/* ---- The integrals for one scale and one block of positions ---- */

typedef struct {
    nope_u128 a[NOPE_THEORY2_BLOCK], cross[NOPE_THEORY2_BLOCK]; /* Q80 sums over u */
} block_sums;

/* sqrt(v) for 0 <= v <= 1, to 2^-31. */
static int64_t q_sqrt_unit(int64_t v)
{
    return (int64_t)nope_isqrt64((uint64_t)v << 22) << (F - 31);
}

/* The density of z, unnormalised. A key's LayerNorm output is uniform on a sphere in the d-1
 * dimensions orthogonal to (1, ..., 1), so z = sqrt(d-1) cos(angle to the query's direction) has
 * density (1 - z^2/(d-1))^((d-4)/2) on |z| < sqrt(d-1). Below d = 5 that density is not smooth
 * enough for the trapezoid rule, and the normal density stands in. */
static int64_t z_density(uint32_t d, int64_t z)
{
    int64_t z2 = q_mul(z, z);
    if (d < 5)
        return q_exp(-z2 / 2);
    int64_t rest = ONE - div_int(z2, (int64_t)d - 1);
    if (rest <= 0)
        return 0;
    int64_t w = q_pow(rest, (d - 4) / 2);
    return (d - 4) % 2 ? q_mul(w, q_sqrt_unit(rest)) : w;
}

/* E over z at t = e^u of e^{-ty}, t^2 y^2 e^{-ty} and t z y e^{-ty} (phi, fa, fb), on the z grid
 * z_i = i / per_unit with z_density's weights normalised to sum 1. */
static void z_expectations(uint32_t d, int64_t s, int64_t u, uint32_t per_unit, int64_t *phi, int64_t *fa, int64_t *fb)
{
    int32_t reach = (int32_t)(((uint64_t)X_REACH * per_unit) >> F);
    int64_t wsum = 0, sphi = 0, sfa = 0, sfb = 0;
    for (int32_t i = -reach; i <= reach; i++) {
        int64_t z = div_int((int64_t)i * ONE, per_unit);
        int64_t w = z_density(d, z);
        if (w == 0)
            continue;
        wsum += w;
        int64_t ln_q = u + q_mul(s, z);
        if (ln_q > LN_Q_MAX)
            continue;
        int64_t q = q_exp(ln_q);
        int64_t wq = q_mul(w, q_exp(-q)); /* w e^-q */
        int64_t tq = q_mul(q, wq);        /* w q e^-q */
        sphi += wq;
        sfb += q_mul(z, tq);
        sfa += q_mul(q, tq);
    }
    *phi = q_div(sphi, wsum);
    *fa = q_div(sfa, wsum);
    *fb = q_div(sfb, wsum);
}

/* Adds the u-integrals of A and B - C for positions first+1 .. first+BLOCK (m >= 2). */
static void integrate(uint32_t d, int64_t s, uint32_t first, block_sums *sums)
{
    uint32_t per_unit = 2; /* z step 1/per_unit <= 0.6 / s */
    while ((int64_t)per_unit * ONE * 3 < 5 * s)
        per_unit++;
    int64_t reach_s = q_mul(s, X_REACH);
    for (int64_t u = LN_Q_MIN - reach_s; u <= LN_Q_MAX + reach_s; u += U_STEP) {
        int64_t phi, fa, fb;
        z_expectations(d, s, u, per_unit, &phi, &fa, &fb);
        uint64_t fb2 = (uint64_t)q_mul(fb, fb);
        /* Each position's power on its own, so the bits do not depend on the block size. */
        for (uint32_t m = first + 1 < 2 ? 2 : first + 1; m <= first + NOPE_THEORY2_BLOCK; m++) {
            uint32_t k = m - 1 - first;
            int64_t power = q_pow(phi, m - 2); /* phi^(m-2) */
            sums->cross[k] = nope_u128_add(sums->cross[k], nope_u128_mul64(fb2, (uint64_t)power));
            power = q_mul(power, phi);
            sums->a[k] = nope_u128_add(sums->a[k], nope_u128_mul64((uint64_t)fa, (uint64_t)power));
        }
    }
}

/* Adds weight times G at each position of the block for one scale node to g:
 * G = A f + (B - C) / (d - 1). */
static void block_g_add(const nope_config *cfg, scale_node node, uint32_t first, int64_t g[NOPE_THEORY2_BLOCK])
{
    static block_sums sums; /* static: a small board's stack stays small */
    for (uint32_t k = 0; k < NOPE_THEORY2_BLOCK; k++)
        sums.a[k] = sums.cross[k] = nope_u128_from_u64(0);
    integrate(cfg->d, node.scale, first, &sums);
    for (uint32_t k = 0; k < NOPE_THEORY2_BLOCK; k++) {
        uint32_t m = first + k + 1;
        if (m == 1) {
            g[k] += q_mul(node.weight, ONE); /* one key takes all the weight */
            continue;
        }
        /* Q80 sums times the step 1/4 and m, or m (m-1): Q40 */
        int64_t a = (int64_t)nope_u128_shr_round(nope_u128_mul_u32(sums.a[k], m), F + 2).lo;
        int64_t cross =
            (int64_t)nope_u128_shr_round(nope_u128_mul_u32(nope_u128_mul_u32(sums.cross[k], m), m - 1), F + 2).lo;
        if (cfg->input == NOPE_INPUT_TOKENS)
            a += div_int(a * (int64_t)(m - 1), cfg->vocab); /* a f, f = 1 + (m-1)/V; a <= 1 */
        g[k] += q_mul(node.weight, a + div_int(cross, cfg->d - 1));
    }
}

/* ---- One cached block ---- */

static struct {
    bool valid;
    uint32_t d, heads, sigma_q, vocab, first;
    nope_input input;
    int64_t c_q40;
    int64_t g[NOPE_THEORY2_BLOCK];
} cache;

int64_t nope_theory2_g_q40(const nope_config *cfg, int64_t c_q40, uint32_t pos)
{
    uint32_t first = pos - pos % NOPE_THEORY2_BLOCK;
    if (!(cache.valid && cache.d == cfg->d && cache.heads == cfg->heads && cache.sigma_q == cfg->sigma_q &&
          cache.vocab == cfg->vocab && cache.input == cfg->input && cache.c_q40 == c_q40 && cache.first == first)) {
        scale_node node[2];
        scale_nodes(cfg, c_q40, node);
        for (uint32_t k = 0; k < NOPE_THEORY2_BLOCK; k++)
            cache.g[k] = 0;
        for (int j = 0; j < 2; j++)
            block_g_add(cfg, node[j], first, cache.g);
        /* g is a convex combination of vectors of length sqrt(d c), so G <= 1 always; only the
         * token approximation (large logits, few distinct tokens) can overshoot it. */
        for (uint32_t k = 0; k < NOPE_THEORY2_BLOCK; k++)
            cache.g[k] = cache.g[k] > ONE ? ONE : cache.g[k];
        cache.valid = true;
        cache.d = cfg->d;
        cache.heads = cfg->heads;
        cache.sigma_q = cfg->sigma_q;
        cache.vocab = cfg->vocab;
        cache.input = cfg->input;
        cache.c_q40 = c_q40;
        cache.first = first;
    }
    return cache.g[pos - first];
}
