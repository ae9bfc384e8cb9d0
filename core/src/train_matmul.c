/* The one matrix product of training, and the transpose that lets dX = dY W^T and dW = X^T dY
 * use it too. Each output is one chain: c = 0, then c += a[p] * b[p] for p ascending, each product
 * and each sum rounded once, which is the core's matmul order (nope_kern_matmul_drawn): the
 * blocking below changes which outputs are computed together, never an output's chain.
 *
 * Speed hook: on an x86-64 host this is where stored weights could go through the core's packed
 * panel kernel (nope_x86_matmul_panel in kernels_f32_x86.h, which keeps the same chains). A
 * product is split over the workers the program set (nope/parallel.h) by blocks of rows of c. */
#include "nope/config.h"

#if NOPE_NUM == NOPE_NUM_F32

#include "nope/parallel.h"
#include "nope/train.h"

/* On an x86-64 host (gcc, NOPE_HOST_CLONES, as kernels_f32.c), the tiles also come in an AVX2
 * build chosen at run time: the same IEEE operations in the same order (no FMA), so speed only. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(NOPE_HOST_CLONES)
#define TRAIN_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TRAIN_CLONES
#endif

/* Rows of c made together (each row of b is then read once for all of them) and the columns of
 * c a pass covers (ROWS x COLS floats stay in the first-level cache). */
enum { ROWS = 4, COLS = 256, DEPTH = 128 };

/* c[r][j] += a(r, p) * b[p][j] for ROWS rows r, p < k, j < n, a(r, p) = a[r * ai + p * ap] (a row
 * by row: ai = lda, ap = 1; a transposed: ai = 1, ap = lda): the whole chain of a tile. Blocks
 * of JB columns keep their ROWS x JB running sums in registers for the whole chain (so c is read
 * and written once, not once per p), as vectors of 8 floats (GCC's and clang's vector extension:
 * each lane's + and * are the scalar IEEE operations, lowered to scalar code where there is no
 * vector unit); the columns past the last whole block go through c. */
typedef float v8 __attribute__((vector_size(32), aligned(4), may_alias));
enum { JB = 16 };

TRAIN_CLONES
static void tile_full(float *restrict c, size_t ldc, const float *restrict a, size_t ai, size_t ap,
                      const float *restrict b, size_t ldb, size_t k, size_t n)
{
    float *restrict c0 = c, *restrict c1 = c + ldc, *restrict c2 = c + 2 * ldc, *restrict c3 = c + 3 * ldc;
    size_t j0 = 0;
    for (; j0 + JB <= n; j0 += JB) {
        v8 s0a = *(v8 *)(c0 + j0), s0b = *(v8 *)(c0 + j0 + 8), s1a = *(v8 *)(c1 + j0), s1b = *(v8 *)(c1 + j0 + 8);
        v8 s2a = *(v8 *)(c2 + j0), s2b = *(v8 *)(c2 + j0 + 8), s3a = *(v8 *)(c3 + j0), s3b = *(v8 *)(c3 + j0 + 8);
        for (size_t p = 0; p < k; p++) {
            const float *bp = b + p * ldb + j0;
            const v8 wa = *(const v8 *)bp, wb = *(const v8 *)(bp + 8);
            const float *ar = a + p * ap;
            const float a0 = ar[0], a1 = ar[ai], a2 = ar[2 * ai], a3 = ar[3 * ai];
            s0a += a0 * wa;
            s0b += a0 * wb;
            s1a += a1 * wa;
            s1b += a1 * wb;
            s2a += a2 * wa;
            s2b += a2 * wb;
            s3a += a3 * wa;
            s3b += a3 * wb;
        }
        *(v8 *)(c0 + j0) = s0a, *(v8 *)(c0 + j0 + 8) = s0b, *(v8 *)(c1 + j0) = s1a, *(v8 *)(c1 + j0 + 8) = s1b;
        *(v8 *)(c2 + j0) = s2a, *(v8 *)(c2 + j0 + 8) = s2b, *(v8 *)(c3 + j0) = s3a, *(v8 *)(c3 + j0 + 8) = s3b;
    }
    if (j0 == n)
        return;
    for (size_t p = 0; p < k; p++) {
        const float *ar = a + p * ap;
        const float a0 = ar[0], a1 = ar[ai], a2 = ar[2 * ai], a3 = ar[3 * ai];
        const float *restrict bp = b + p * ldb;
        for (size_t j = j0; j < n; j++) {
            const float w = bp[j];
            c0[j] += a0 * w;
            c1[j] += a1 * w;
            c2[j] += a2 * w;
            c3[j] += a3 * w;
        }
    }
}

TRAIN_CLONES
static void tile_row(float *restrict c, const float *restrict a, size_t ap, const float *restrict b, size_t ldb,
                     size_t k, size_t n)
{
    for (size_t p = 0; p < k; p++) {
        const float av = a[p * ap];
        const float *restrict bp = b + p * ldb;
        for (size_t j = 0; j < n; j++)
            c[j] += av * bp[j];
    }
}

typedef struct {
    float *c;
    const float *a, *b;
    size_t ldc, ai, ap, ldb, m, k, n; /* a(i, p) = a[i * ai + p * ap] */
} product;

/* Rows [ROWS * begin, ROWS * end) of c (the last block may be short). */
static void product_rows(void *ctx, uint32_t worker, size_t begin, size_t end)
{
    (void)worker;
    const product *P = ctx;
    const size_t i_end = ROWS * end < P->m ? ROWS * end : P->m;
    for (size_t i = ROWS * begin; i < i_end; i++)
        for (size_t j = 0; j < P->n; j++)
            P->c[i * P->ldc + j] = 0.0f;
    /* A DEPTH x COLS block of b is used by every row block while it is in the second-level cache;
     * c holds each chain's running sum between blocks, so the chain is unchanged. */
    for (size_t p0 = 0; p0 < P->k; p0 += DEPTH) {
        const size_t kp = P->k - p0 < DEPTH ? P->k - p0 : DEPTH;
        for (size_t j0 = 0; j0 < P->n; j0 += COLS) {
            const size_t nj = P->n - j0 < COLS ? P->n - j0 : COLS;
            const float *b = P->b + p0 * P->ldb + j0;
            size_t i = ROWS * begin;
            for (; i + ROWS <= i_end; i += ROWS)
                tile_full(P->c + i * P->ldc + j0, P->ldc, P->a + i * P->ai + p0 * P->ap, P->ai, P->ap, b, P->ldb, kp,
                          nj);
            for (; i < i_end; i++)
                tile_row(P->c + i * P->ldc + j0, P->a + i * P->ai + p0 * P->ap, P->ap, b, P->ldb, kp, nj);
        }
    }
}

/* Products smaller than this many multiplications run on the caller's thread: handing them out
 * would cost more than it saves. */
#define PARALLEL_MIN_MACS ((size_t)1 << 16)

/* Blocks of rows of c go to the workers the program set (nope/parallel.h): each output is still
 * one chain computed by one worker, so the bits do not depend on the split. */
static void run_product(product *P)
{
    size_t blocks = (P->m + ROWS - 1) / ROWS;
    uint32_t workers = P->m * P->k * P->n >= PARALLEL_MIN_MACS ? nope_parallel_workers() : 1;
    nope_parallel_for(product_rows, P, blocks, workers);
}

void nope_train_matmul(float *c, size_t ldc, const float *a, size_t lda, const float *b, size_t ldb, size_t m, size_t k,
                       size_t n)
{
    product P = {c, a, b, ldc, lda, 1, ldb, m, k, n};
    run_product(&P);
}

void nope_train_matmul_tn(float *c, size_t ldc, const float *a, size_t lda, const float *b, size_t ldb, size_t m,
                          size_t k, size_t n)
{
    product P = {c, a, b, ldc, 1, lda, ldb, m, k, n};
    run_product(&P);
}

/* Blocks of 16 x 16, so that both the reads and the writes stay within a few cache lines. */
enum { TBLOCK = 16 };

void nope_train_transpose(float *dst, const float *src, size_t rows, size_t cols, size_t ld)
{
    for (size_t r0 = 0; r0 < rows; r0 += TBLOCK)
        for (size_t c0 = 0; c0 < cols; c0 += TBLOCK) {
            size_t r1 = r0 + TBLOCK < rows ? r0 + TBLOCK : rows, c1 = c0 + TBLOCK < cols ? c0 + TBLOCK : cols;
            for (size_t r = r0; r < r1; r++)
                for (size_t c = c0; c < c1; c++)
                    dst[c * rows + r] = src[r * ld + c];
        }
}

#endif
