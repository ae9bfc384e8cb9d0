/* Work split over workers, without the core ever making a thread.
 *
 * The core is single-threaded and knows no platform: it only asks "run fn over the ranges of
 * [0, n)" through a hook the program sets once (ports/app.c, from ports/port.h). A host port runs
 * the ranges on a pool of threads; a board, or a build that sets nothing, runs them in turn on
 * the one core. The core gives each range whole outputs, each computed by one worker in one fixed
 * order, so the bytes never depend on how many workers there are or which one ran what.
 *
 * What runs under a parallel-for must not write anything another range reads or writes: each
 * worker gets its own scratch (indexed by `worker`), and the kernels keep theirs in the caller's
 * buffers. */
#ifndef NOPE_PARALLEL_H
#define NOPE_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"

/* Items begin .. end-1 of a job, run by worker `worker` (0 .. workers-1). */
typedef void (*nope_range_fn)(void *ctx, uint32_t worker, size_t begin, size_t end);

/* A platform's parallel-for. Contract: call fn over ranges that cover [0, n) exactly once, each
 * with a worker index below `workers`, never two calls with the same index at the same time,
 * and return only when every call has returned. workers >= 1. */
typedef void (*nope_parallel_for_fn)(nope_range_fn fn, void *ctx, size_t n, uint32_t workers);

/* The hook and its worker count (clamped to 1 .. NOPE_MAX_THREADS). run NULL, or never called:
 * one worker, fn(ctx, 0, 0, n) on the caller's stack. */
void nope_parallel_set(nope_parallel_for_fn run, uint32_t workers);

/* The workers set: what per-worker scratch must cover. */
uint32_t nope_parallel_workers(void);

/* fn over [0, n) with `workers` workers (at most nope_parallel_workers(), at least 1): through
 * the hook, or directly when workers is 1 or n is at most 1. */
void nope_parallel_for(nope_range_fn fn, void *ctx, size_t n, uint32_t workers);

/* Range of worker w of `workers` over [0, n) in the even split a port can use: [*begin, *end). */
void nope_parallel_split(size_t n, uint32_t workers, uint32_t w, size_t *begin, size_t *end);

#endif
