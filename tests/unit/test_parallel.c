/* The parallel-for hook (nope/parallel.h): without a hook the core runs every range itself, on
 * worker 0; with one, it hands the ranges over and clamps the worker count; the even split
 * covers [0, n) once; and a trial split over workers, run in any order, writes the same report
 * as one worker. */
#include "test_report_text.h"

#include "nope/parallel.h"

/* What a range function saw: every call, in order. */
#define MAX_CALLS 64
typedef struct {
    uint32_t calls;
    uint32_t worker[MAX_CALLS];
    size_t begin[MAX_CALLS], end[MAX_CALLS];
} call_log;

static void log_range(void *ctx, uint32_t worker, size_t begin, size_t end)
{
    call_log *log = ctx;
    assert_true(log->calls < MAX_CALLS);
    log->worker[log->calls] = worker;
    log->begin[log->calls] = begin;
    log->end[log->calls] = end;
    log->calls++;
}

/* A port's parallel-for without threads, as a board could write one: the even split, run last
 * range first, so a caller that relied on the order of ranges would be caught. */
static uint32_t runner_calls, runner_workers;
static void reverse_runner(nope_range_fn fn, void *ctx, size_t n, uint32_t workers)
{
    runner_calls++;
    runner_workers = workers;
    for (uint32_t w = workers; w-- > 0;) {
        size_t begin, end;
        nope_parallel_split(n, workers, w, &begin, &end);
        if (begin < end)
            fn(ctx, w, begin, end);
    }
}

static int reset(void **state)
{
    (void)state;
    nope_parallel_set(NULL, 1);
    runner_calls = runner_workers = 0;
    return 0;
}

static void test_sequential_default(void **state)
{
    (void)state;
    assert_int_equal(nope_parallel_workers(), 1);
    call_log log = {0};
    nope_parallel_for(log_range, &log, 10, 4); /* asks for 4, has 1 */
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.worker[0], 0);
    assert_int_equal(log.begin[0], 0);
    assert_int_equal(log.end[0], 10);
    nope_parallel_for(log_range, &log, 0, 1); /* nothing to do: no call */
    assert_int_equal(log.calls, 1);
    /* No runner: one worker whatever the count asked for. */
    nope_parallel_set(NULL, 8);
    assert_int_equal(nope_parallel_workers(), 1);
}

static void test_hook_and_clamps(void **state)
{
    (void)state;
    nope_parallel_set(reverse_runner, NOPE_MAX_THREADS > 3 ? 3 : NOPE_MAX_THREADS);
    uint32_t set = nope_parallel_workers();
    call_log log = {0};
    nope_parallel_for(log_range, &log, 7, 1000); /* more than set: the set count */
    assert_int_equal(runner_calls, set > 1 ? 1 : 0);
    size_t covered = 0;
    for (uint32_t c = 0; c < log.calls; c++) {
        assert_true(log.worker[c] < set);
        covered += log.end[c] - log.begin[c];
    }
    assert_int_equal(covered, 7);
    /* One item, or one worker asked for: the caller runs it, the hook is not called. */
    uint32_t before = runner_calls;
    nope_parallel_for(log_range, &log, 1, set);
    nope_parallel_for(log_range, &log, 5, 1);
    assert_int_equal(runner_calls, before);
    /* A count of 0 means 1; above the capacity means the capacity. */
    nope_parallel_set(reverse_runner, 0);
    assert_int_equal(nope_parallel_workers(), 1);
    nope_parallel_set(reverse_runner, NOPE_MAX_THREADS + 5u);
    assert_int_equal(nope_parallel_workers(), NOPE_MAX_THREADS);
}

/* Ranges in worker order, contiguous, covering [0, n), sizes within one of each other, with no
 * overflow even for n near SIZE_MAX. */
static void test_split(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 2, 3, 7, 64, 100, 768, 3072, SIZE_MAX - 3, SIZE_MAX};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (uint32_t workers = 1; workers <= 67; workers++) {
            size_t n = sizes[s], at = 0, lo = SIZE_MAX, hi = 0;
            for (uint32_t w = 0; w < workers; w++) {
                size_t begin, end;
                nope_parallel_split(n, workers, w, &begin, &end);
                assert_int_equal(begin, at);
                assert_true(end >= begin);
                lo = end - begin < lo ? end - begin : lo;
                hi = end - begin > hi ? end - begin : hi;
                at = end;
            }
            assert_true(at == n);
            assert_true(hi - lo <= 1);
        }
}

/* Same report with the work split over several workers run in reverse order: the products'
 * strips (aligned and not: 3 workers over widths 48 and 100) and attention's (query, head)
 * items each make the same outputs as one worker. */
static void test_trial_same_at_any_workers(void **state)
{
    (void)state;
    nope_config cfg = report_small_config(4);
    cfg.d = 48;
    cfg.heads = 3;
    cfg.ffn = 100;
    cfg.seq = 9;
    assert_int_equal(nope_experiment_run(&cfg, NULL, NULL), NOPE_OK);
    report_capture(&cfg);
    static char one[sizeof report];
    size_t one_len = report_len;
    memcpy(one, report, report_len + 1);
    for (uint32_t workers = 2; workers <= 5 && workers <= NOPE_MAX_THREADS; workers++) {
        nope_parallel_set(reverse_runner, workers);
        assert_int_equal(nope_experiment_run(&cfg, NULL, NULL), NOPE_OK);
        report_capture(&cfg);
        assert_int_equal(report_len, one_len);
        assert_memory_equal(report, one, one_len);
    }
    /* The float32 model splits its work (the fixed-point one keeps one worker for now). */
    assert_true(NOPE_MAX_THREADS == 1 || NOPE_NUM == NOPE_NUM_FIXED || runner_calls > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sequential_default, reset),
        cmocka_unit_test_setup(test_hook_and_clamps, reset),
        cmocka_unit_test_setup(test_split, reset),
        cmocka_unit_test_setup(test_trial_same_at_any_workers, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
