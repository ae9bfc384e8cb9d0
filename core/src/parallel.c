#include "nope/parallel.h"

/* The hook: NULL means "no threads", the default of every build that sets nothing. */
static nope_parallel_for_fn hook;
static uint32_t hook_workers = 1;

void nope_parallel_set(nope_parallel_for_fn run, uint32_t workers)
{
    if (workers < 1 || run == NULL)
        workers = 1;
    if (workers > NOPE_MAX_THREADS)
        workers = NOPE_MAX_THREADS;
    hook = workers > 1 ? run : NULL;
    hook_workers = workers;
}

uint32_t nope_parallel_workers(void)
{
    return hook_workers;
}

void nope_parallel_for(nope_range_fn fn, void *ctx, size_t n, uint32_t workers)
{
    if (workers > hook_workers)
        workers = hook_workers;
    if (n == 0)
        return;
    if (workers <= 1 || n == 1 || hook == NULL) {
        fn(ctx, 0, 0, n);
        return;
    }
    hook(fn, ctx, n, workers);
}

void nope_parallel_split(size_t n, uint32_t workers, uint32_t w, size_t *begin, size_t *end)
{
    /* n * w / workers without overflow for any n a size_t holds: whole parts and remainder. */
    size_t q = n / workers, r = n % workers;
    *begin = q * w + r * w / workers;
    *end = q * (w + 1) + r * (w + 1) / workers;
}
