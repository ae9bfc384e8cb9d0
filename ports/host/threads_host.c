/* The host port's threads (ports/port.h): a pool of POSIX threads, started the first time a run
 * splits work and kept until exit, woken for each parallel-for. The calling thread is worker 0
 * and runs its own range; threads 1 .. workers-1 run theirs; the call returns when all are done.
 * Which thread runs which range never matters to the bytes (nope/parallel.h). Linux and other
 * POSIX systems. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "../port.h"

typedef struct {
    nope_range_fn fn;
    void *ctx;
    size_t n;
    uint32_t workers;
} pool_job;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a new job, or stop */
    pthread_cond_t done; /* the last thread finished its part */
    pthread_t thread[NOPE_MAX_THREADS];
    uint64_t born[NOPE_MAX_THREADS]; /* the job count when thread k started: it waits for the next */
    uint32_t started;                /* threads running, as workers 1 .. started */
    uint64_t jobs;                   /* jobs posted so far */
    uint32_t pending;                /* threads not yet done with the current job */
    bool stopping;
    pool_job job;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

static void run_part(const pool_job *job, uint32_t worker)
{
    size_t begin, end;
    nope_parallel_split(job->n, job->workers, worker, &begin, &end);
    if (begin < end)
        job->fn(job->ctx, worker, begin, end);
}

static void *pool_thread(void *arg)
{
    const uint32_t k = (uint32_t)(uintptr_t)arg;
    pthread_mutex_lock(&pool.lock);
    uint64_t seen = pool.born[k];
    for (;;) {
        while (pool.jobs == seen && !pool.stopping)
            pthread_cond_wait(&pool.wake, &pool.lock);
        if (pool.stopping)
            break;
        seen = pool.jobs;
        pool_job job = pool.job;
        pthread_mutex_unlock(&pool.lock);
        if (k < job.workers)
            run_part(&job, k);
        pthread_mutex_lock(&pool.lock);
        if (--pool.pending == 0)
            pthread_cond_signal(&pool.done);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
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
        pool.born[k] = pool.jobs;
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
    pool_job job = {fn, ctx, n, workers};
    pthread_mutex_lock(&pool.lock);
    pool.job = job;
    pool.pending = pool.started;
    pool.jobs++;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    run_part(&job, 0);
    pthread_mutex_lock(&pool.lock);
    while (pool.pending > 0)
        pthread_cond_wait(&pool.done, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
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
