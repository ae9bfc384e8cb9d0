/* The host port's threads (ports/port.h): a pool of POSIX threads, started the first time a run
 * splits work and kept until exit, woken for each parallel-for. The calling thread is worker 0
 * and runs its own range; threads 1 .. workers-1 run theirs; the call returns when all are done.
 * Which thread runs which range never matters to the bytes (nope/parallel.h). Linux and other
 * POSIX systems. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../port.h"

typedef struct {
    nope_range_fn fn;
    void *ctx;
    size_t n;
    uint32_t workers;
    size_t chunk; /* items per claim */
} pool_job;

/* Claims per worker a job is cut into: a worker that starts late, or loses its core to another
 * process for a while, leaves its share to the others instead of holding everyone up. */
enum { CLAIMS_PER_WORKER = 4 };

/* A trial posts a job every few hundred microseconds or less, so a thread that has just finished
 * one waits for the next by spinning a while (a wake-up through the kernel costs tens of
 * microseconds in a virtual machine) and only then sleeps. The caller waits for the last range
 * the same way. */
enum { SPIN_NS = 100000 };

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a new job, or stop: for threads asleep */
    pthread_cond_t done; /* the last range of a job finished: for a caller asleep */
    pthread_t thread[NOPE_MAX_THREADS];
    uint64_t born[NOPE_MAX_THREADS]; /* jobs posted when thread k started: it waits for the next */
    uint32_t started;                /* threads running, as workers 1 .. started */
    _Atomic uint64_t jobs;           /* jobs posted so far; the job itself is written before */
    _Atomic uint32_t pending;        /* threads not yet done with the current job */
    _Atomic size_t next_item;        /* the current job's first item no worker has claimed */
    uint32_t asleep;                 /* threads waiting on `wake` (under lock) */
    bool stopping;                   /* (under lock) */
    pool_job job;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spin until *word differs from `from` (true), or SPIN_NS pass (false). Each turn yields the
 * core: with more threads than cores (--threads 3 on two) the one a range waits for gets to run. */
static bool spin_while_u64(_Atomic uint64_t *word, uint64_t from)
{
    uint64_t start = now_ns();
    for (uint32_t k = 1;; k++) {
        if (atomic_load_explicit(word, memory_order_acquire) != from)
            return true;
        sched_yield();
        if (k % 16 == 0 && now_ns() - start > SPIN_NS)
            return false;
    }
}

static bool spin_until_zero(_Atomic uint32_t *word)
{
    uint64_t start = now_ns();
    for (uint32_t k = 1;; k++) {
        if (atomic_load_explicit(word, memory_order_acquire) == 0)
            return true;
        sched_yield();
        if (k % 16 == 0 && now_ns() - start > SPIN_NS)
            return false;
    }
}

/* Chunks of the current job, claimed one at a time until none is left. Which worker runs which
 * chunk is a race, and may not matter (nope/parallel.h): only the scratch each uses is its own. */
static void run_part(const pool_job *job, uint32_t worker)
{
    for (;;) {
        size_t begin = atomic_fetch_add_explicit(&pool.next_item, job->chunk, memory_order_relaxed);
        if (begin >= job->n)
            return;
        size_t end = job->n - begin < job->chunk ? job->n : begin + job->chunk;
        job->fn(job->ctx, worker, begin, end);
    }
}

static void *pool_thread(void *arg)
{
    const uint32_t k = (uint32_t)(uintptr_t)arg;
    pthread_mutex_lock(&pool.lock);
    uint64_t seen = pool.born[k];
    pthread_mutex_unlock(&pool.lock);
    for (;;) {
        if (!spin_while_u64(&pool.jobs, seen)) {
            pthread_mutex_lock(&pool.lock);
            pool.asleep++;
            while (atomic_load(&pool.jobs) == seen && !pool.stopping)
                pthread_cond_wait(&pool.wake, &pool.lock);
            pool.asleep--;
            bool stop = pool.stopping;
            pthread_mutex_unlock(&pool.lock);
            if (stop)
                return NULL;
        }
        seen = atomic_load_explicit(&pool.jobs, memory_order_acquire);
        pool_job job = pool.job;
        if (k < job.workers)
            run_part(&job, k);
        if (atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&pool.lock); /* the caller may be asleep */
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.lock);
        }
    }
}

/* At exit: wake every thread to leave, and join them. No job is running then (a parallel-for
 * returns only when its job is done, and the program is single-threaded between them). */
static void pool_stop(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.stopping = true;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    for (uint32_t k = 1; k <= pool.started; k++)
        pthread_join(pool.thread[k], NULL);
}

/* Threads up to worker `last`, as many as the system gives. Called between jobs only. */
static void pool_grow(uint32_t last)
{
    if (pool.started == 0 && last >= 1 && atexit(pool_stop) != 0)
        return; /* could not arrange the join: stay single-threaded */
    while (pool.started < last) {
        uint32_t k = pool.started + 1;
        pthread_mutex_lock(&pool.lock);
        pool.born[k] = atomic_load(&pool.jobs);
        pthread_mutex_unlock(&pool.lock);
        if (pthread_create(&pool.thread[k], NULL, pool_thread, (void *)(uintptr_t)k) != 0)
            return; /* fewer threads: the remaining ranges go to those there are */
        pool.started = k;
    }
}

static void pool_for(nope_range_fn fn, void *ctx, size_t n, uint32_t workers)
{
    if (workers > NOPE_MAX_THREADS)
        workers = NOPE_MAX_THREADS;
    pool_grow(workers - 1);
    if (workers > pool.started + 1)
        workers = pool.started + 1;
    size_t claims = (size_t)workers * CLAIMS_PER_WORKER;
    pool_job job = {fn, ctx, n, workers, n / claims > 0 ? (n + claims - 1) / claims : 1};
    /* Every thread answers every job (those past `workers` with nothing to do), so `pending`
     * counts them all. The job goes out under the lock, so none can fall asleep in between. */
    pthread_mutex_lock(&pool.lock);
    pool.job = job;
    atomic_store_explicit(&pool.pending, pool.started, memory_order_relaxed);
    atomic_store_explicit(&pool.next_item, 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&pool.jobs, 1, memory_order_release);
    if (pool.asleep > 0)
        pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    run_part(&job, 0);
    if (!spin_until_zero(&pool.pending)) {
        pthread_mutex_lock(&pool.lock);
        while (atomic_load(&pool.pending) > 0)
            pthread_cond_wait(&pool.done, &pool.lock);
        pthread_mutex_unlock(&pool.lock);
    }
}

uint32_t port_cores(void)
{
    /* The cores this process may run on (taskset, a container's CPU set), else all online. */
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (uint32_t)CPU_COUNT(&set);
#endif
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (uint32_t)online : 1;
}

nope_parallel_for_fn port_parallel(void)
{
    return pool_for;
}
