/* A report written into memory, for the tests that read one back: report_capture(cfg) leaves
 * it NUL-terminated in report[0 .. report_len). */
#ifndef NOPE_TEST_REPORT_TEXT_H
#define NOPE_TEST_REPORT_TEXT_H

#include "test_util.h"

#include "nope/experiment.h"
#include "nope/report.h"

static char report[1 << 20];
static size_t report_len;

static void report_collect(void *ctx, const char *bytes, size_t n)
{
    (void)ctx;
    assert_true(report_len + n < sizeof report);
    memcpy(report + report_len, bytes, n);
    report_len += n;
}

/* A small configuration whose report the tests read: seconds at most, in both modes and under
 * the sanitizers. */
static inline nope_config report_small_config(uint32_t trials)
{
    nope_config cfg;
    nope_experiment_defaults(&cfg);
    cfg.d = 16;
    cfg.heads = 2;
    cfg.layers = 2;
    cfg.ffn = 32;
    cfg.seq = 8;
    cfg.trials = trials;
    return cfg;
}

static void report_capture(const nope_config *cfg)
{
    report_len = 0;
    nope_sink sink = {report_collect, NULL};
    nope_report_write(cfg, &sink);
    report[report_len] = '\0';
}

#endif
