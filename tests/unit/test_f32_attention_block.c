/* The x86-64 host's attention tiles (core/src/attention_f32_x86.c) against one query at a time,
 * bit for bit: every build the CPU can run (SSE2, AVX2, AVX-512) against plain loops of the
 * reference's operations, over tiles of 1 to 16 queries starting anywhere (causal triangles
 * of every size), head widths past every vector and register block, rows with gaps between them,
 * output over the queries or apart, and scores spread so far that exponentials leave the vector's
 * range. Then non-finite values, keys and queries (NaN with payloads, infinities): the tile must
 * give nope_kern_attend's bits exactly, and a value the tile never reads must not matter.
 *
 * Keys, values and queries live in heap blocks of exactly the size read, so a sanitizer build
 * catches a read past them. The unit tests' core is built without NOPE_HOST_CLONES, so the
 * kernel sources are included here with it defined (their symbols then come from this file). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define NOPE_HOST_CLONES 1
#include "../../core/src/attention_f32_x86.c"
#include "../../core/src/kernels_f32.c"
#include "../../core/src/kernels_f32_x86.c"
#include "../../core/src/rows_f32_x86.c"
#endif

#include "test_util.h"

#include "nope/kernels.h"

#if defined(NOPE_F32_X86) && NOPE_F32_X86

enum { MAX_KEYS = 150, MAX_DH = 100, TILE = NOPE_X86_ATTEND_TILE };

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t next_u32(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

/* Values of a few kinds: ordinary, zero of either sign, tiny, large; times `spread`. */
static float value(float spread)
{
    uint32_t u = next_u32();
    switch (u % 16) {
    case 0: return 0.0f;
    case 1: return -0.0f;
    case 2: return (float)(int32_t)u * 0x1p-60f;
    default: return (float)(int32_t)u * 0x1p-31f * spread;
    }
}

typedef int tile_fn(float *, const float *, const float *, const float *, size_t, size_t, size_t, size_t, float,
                    float *);

static const struct {
    const char *name;
    tile_fn *tile;
} builds[] = {{"sse2", tile_sse2}, {"avx2", tile_avx2}, {"avx512", tile_avx512}};

static int build_runs(size_t b)
{
    if (b == 1)
        return __builtin_cpu_supports("avx2");
    if (b == 2)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    return 1;
}

/* One query the plain way: the reference's operations in its order (kernels_f32.c). */
static void attend_plain(float *o, const float *q, const float *keys, const float *values, size_t n_keys, size_t dh,
                         size_t stride, float scale)
{
    float p[MAX_KEYS];
    for (size_t n = 0; n < n_keys; n++) {
        float dot = 0.0f;
        for (size_t i = 0; i < dh; i++)
            dot += q[i] * keys[n * stride + i];
        p[n] = dot * scale;
    }
    float top = p[0];
    for (size_t n = 1; n < n_keys; n++)
        if (p[n] > top)
            top = p[n];
    float total = 0.0f;
    for (size_t n = 0; n < n_keys; n++) {
        p[n] = nope_f32_exp(p[n] - top);
        total += p[n];
    }
    for (size_t n = 0; n < n_keys; n++)
        p[n] = p[n] / total;
    for (size_t i = 0; i < dh; i++) {
        float sum = 0.0f;
        for (size_t n = 0; n < n_keys; n++)
            sum += p[n] * values[n * stride + i];
        o[i] = sum;
    }
}

/* A tile's inputs: rows stride apart, each block exactly as long as the tile reads. */
typedef struct {
    size_t m0, nq, dh, stride;
    float *q, *keys, *values; /* q: the tile's nq rows; keys, values: rows 0 .. m0 + nq - 1 */
} tile_case;

static size_t rows_floats(size_t rows, size_t dh, size_t stride)
{
    return (rows - 1) * stride + dh;
}

static tile_case case_make(size_t m0, size_t nq, size_t dh, size_t stride, float q_spread)
{
    tile_case c = {m0, nq, dh, stride, NULL, NULL, NULL};
    size_t nk = rows_floats(m0 + nq, dh, stride), nqf = rows_floats(nq, dh, stride);
    c.q = malloc(sizeof(float) * nqf);
    c.keys = malloc(sizeof(float) * nk);
    c.values = malloc(sizeof(float) * nk);
    assert_non_null(c.q);
    assert_non_null(c.keys);
    assert_non_null(c.values);
    for (size_t k = 0; k < nqf; k++)
        c.q[k] = value(q_spread);
    for (size_t k = 0; k < nk; k++) {
        c.keys[k] = value(1.0f);
        c.values[k] = value(1.0f);
    }
    return c;
}

static void case_free(tile_case *c)
{
    free(c->q);
    free(c->keys);
    free(c->values);
}

/* The expected outputs, query by query: plain loops, or nope_kern_attend itself (`real`). */
static void case_want(const tile_case *c, float *want, int real, const nope_kern_params *kp)
{
    static float row[MAX_KEYS];
    for (size_t j = 0; j < c->nq; j++) {
        if (real)
            nope_kern_attend(want + j * c->stride, c->q + j * c->stride, c->keys, c->values, c->m0 + j + 1, c->dh,
                             c->stride, row, kp);
        else
            attend_plain(want + j * c->stride, c->q + j * c->stride, c->keys, c->values, c->m0 + j + 1, c->dh,
                         c->stride, kp->attn_scale);
    }
}

static int same_outputs(const tile_case *c, const float *o, const float *want)
{
    for (size_t j = 0; j < c->nq; j++)
        if (memcmp(o + j * c->stride, want + j * c->stride, sizeof(float) * c->dh) != 0)
            return 0;
    return 1;
}

static float scratch[NOPE_X86_ATTEND_SCRATCH(MAX_KEYS, MAX_DH)] __attribute__((aligned(64)));

static void test_tiles_against_plain_loops(void **state)
{
    (void)state;
    static float o[TILE * (MAX_DH + 3)], want[TILE * (MAX_DH + 3)];
    const size_t m0_list[] = {0, 1, 5, 16, 17, 40, 127};
    const size_t nq_list[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16};
    const size_t dh_list[] = {1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 20, 31, 32, 33, 48, 63, 64, 65, 80, 97, 100};
    /* Queries this large put scores far apart: exponentials of -87 and beyond, 0 at the end. */
    const float spreads[] = {1.0f, 40.0f, 3000.0f};
    const int stride = nope_test_quick() ? 3 : 1;
    nope_kern_params kp = {0.0f, 0.0f};
    size_t checked = 0;
    for (size_t b = 0; b < sizeof builds / sizeof builds[0]; b++) {
        if (!build_runs(b)) {
            print_message("%s: this CPU cannot run it, skipped\n", builds[b].name);
            continue;
        }
        for (size_t a = 0; a < sizeof m0_list / sizeof m0_list[0]; a++)
            for (size_t e = 0; e < sizeof nq_list / sizeof nq_list[0]; e++)
                for (size_t g = (a + e) % stride; g < sizeof dh_list / sizeof dh_list[0]; g += stride) {
                    size_t m0 = m0_list[a], nq = nq_list[e], dh = dh_list[g], pad = (a + e + g) % 4;
                    float spread = spreads[(a + e + g) % 3];
                    kp.attn_scale = 1.0f / nope_f32_sqrt((float)dh);
                    tile_case c = case_make(m0, nq, dh, dh + pad, spread);
                    case_want(&c, want, 0, &kp);
                    /* Apart from q, then over it (as the model calls it). */
                    for (size_t k = 0; k < sizeof o / sizeof o[0]; k++)
                        o[k] = 12345.0f;
                    if (!builds[b].tile(o, c.q, c.keys, c.values, m0, nq, dh, c.stride, kp.attn_scale, scratch))
                        fail_msg("%s tile m0=%zu nq=%zu dh=%zu: finite inputs refused", builds[b].name, m0, nq, dh);
                    if (!same_outputs(&c, o, want))
                        fail_msg("%s tile m0=%zu nq=%zu dh=%zu spread %g differs from one query at a time",
                                 builds[b].name, m0, nq, dh, (double)spread);
                    for (size_t j = 0; j < nq; j++)
                        for (size_t k = dh; k < c.stride && j + 1 < nq; k++)
                            if (o[j * c.stride + k] != 12345.0f)
                                fail_msg("%s tile m0=%zu nq=%zu dh=%zu wrote between rows", builds[b].name, m0, nq, dh);
                    builds[b].tile(c.q, c.q, c.keys, c.values, m0, nq, dh, c.stride, kp.attn_scale, scratch);
                    if (!same_outputs(&c, c.q, want))
                        fail_msg("%s tile m0=%zu nq=%zu dh=%zu over its queries differs", builds[b].name, m0, nq, dh);
                    case_free(&c);
                    checked++;
                }
    }
    print_message("attention tiles: %zu shapes bit-identical to one query at a time\n", checked);
}

/* Non-finite inputs: through nope_x86_attend_tile (the CPU's build, then nope_kern_attend where
 * the tile refuses), against nope_kern_attend query by query. */
static void test_non_finite(void **state)
{
    (void)state;
    static float o[TILE * (MAX_DH + 3)], want[TILE * (MAX_DH + 3)];
    union {
        uint32_t u;
        float f;
    } payload = {0x7FC01234u}, signalling = {0xFF800001u};
    const float specials[] = {__builtin_nanf(""), -__builtin_nanf(""), payload.f, signalling.f,
                              __builtin_inff(),   -__builtin_inff(),   3e38f};
    const size_t shapes[][3] = {{0, 16, 16}, {5, 7, 17}, {30, 16, 64}, {16, 3, 5}};
    nope_kern_params kp = {0.0f, 0.25f};
    size_t checked = 0, refused = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++)
            for (int where = 0; where < 5; where++) {
                size_t m0 = shapes[s][0], nq = shapes[s][1], dh = shapes[s][2];
                tile_case c = case_make(m0, nq, dh, dh + 1, 1.0f);
                /* A value, a key, a query or two values far apart (one the first key's). */
                /* A value, a key, a query, two values far apart (one the first key's), or a query
                 * against keys with no zero in its column (so only that query's scores are
                 * infinite, no lane a NaN). */
                float *at = where == 0 || where == 3 ? c.values : where == 1 ? c.keys : c.q;
                size_t rows = where == 2 || where == 4 ? nq : m0 + nq;
                size_t n = 1 + (k * 7 + s) % rows, i = (k * 3) % dh;
                at[(n % rows) * c.stride + i] = specials[k];
                if (where == 3 && n % rows != 0)
                    at[i] = specials[(k + 1) % (sizeof specials / sizeof specials[0])];
                for (size_t r = 0; where == 4 && r < m0 + nq; r++)
                    c.keys[r * c.stride + i] = 1.0f;
                case_want(&c, want, 1, &kp);
                /* Each build refuses, and leaves the queries as they were when it wrote over them. */
                const char *what = where == 1 ? "key" : where == 2 || where == 4 ? "query" : "value";
                size_t q_floats = rows_floats(nq, dh, c.stride);
                memcpy(o, c.q, sizeof(float) * q_floats);
                for (size_t b = 0; b < sizeof builds / sizeof builds[0]; b++) {
                    if (!build_runs(b) || specials[k] == 3e38f)
                        continue;
                    if (builds[b].tile(c.q, c.q, c.keys, c.values, m0, nq, dh, c.stride, kp.attn_scale, scratch))
                        fail_msg("%s tile took a non-finite %s (shape %zu special %zu)", builds[b].name, what, s, k);
                    if (memcmp(o, c.q, sizeof(float) * q_floats) != 0)
                        fail_msg("%s tile refused a non-finite %s but changed its queries (shape %zu special %zu)",
                                 builds[b].name, what, s, k);
                }
                refused += specials[k] != 3e38f;
                nope_x86_attend_tile(c.q, c.q, c.keys, c.values, m0, nq, dh, c.stride, scratch, &kp);
                if (!same_outputs(&c, c.q, want))
                    fail_msg("shape %zu special %zu in %d: not nope_kern_attend's bits", s, k, where);
                case_free(&c);
                checked++;
            }
    print_message("non-finite inputs: %zu tiles with nope_kern_attend's bits (%zu of them refused by every build)\n",
                  checked, refused);
}

/* Keys and values past the tile's last query are never read: a NaN there changes nothing and
 * the tile still takes the inputs. */
static void test_unread_rows(void **state)
{
    (void)state;
    static float o[TILE * 33], want[TILE * 33];
    nope_kern_params kp = {0.0f, 0.25f};
    size_t m0 = 20, nq = 9, dh = 32;
    tile_case c = case_make(m0, nq + 5, dh, dh + 1, 1.0f); /* 5 rows more than the tile sees */
    for (size_t n = m0 + nq; n < m0 + nq + 5; n++)
        c.keys[n * c.stride] = c.values[n * c.stride + 3] = __builtin_nanf("");
    c.nq = nq;
    case_want(&c, want, 0, &kp);
    for (size_t b = 0; b < sizeof builds / sizeof builds[0]; b++) {
        if (!build_runs(b))
            continue;
        if (!builds[b].tile(o, c.q, c.keys, c.values, m0, nq, dh, c.stride, kp.attn_scale, scratch))
            fail_msg("%s tile refused because of rows it does not read", builds[b].name);
        if (!same_outputs(&c, o, want))
            fail_msg("%s tile differs with NaN in rows it does not read", builds[b].name);
    }
    case_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiles_against_plain_loops),
        cmocka_unit_test(test_non_finite),
        cmocka_unit_test(test_unread_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

static void test_not_this_host(void **state)
{
    (void)state;
    print_message("not an x86-64 gcc build: the attention tiles are not compiled here\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_not_this_host)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
