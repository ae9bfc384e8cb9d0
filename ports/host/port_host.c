/* The x86-64 (any POSIX) host port: stdout/stderr, /dev/urandom, CLOCK_MONOTONIC. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../app.h"
#include "../port.h"
#include "merge_host.h"

/* errno of the first write of the report (or --help) that failed, 0 while none has. */
static int report_errno;

static void note_report_error(void)
{
    if (report_errno == 0)
        report_errno = errno != 0 ? errno : EIO;
}

void port_write(port_stream stream, const char *bytes, size_t n)
{
    if (stream == PORT_STREAM_REPORT) {
        errno = 0;
        if (fwrite(bytes, 1, n, stdout) != n)
            note_report_error();
        return;
    }
    /* A diagnostic that cannot be written (stderr closed, full, or a pipe nobody reads any more)
     * is dropped: the banner and progress must never cost the experiment its report. */
    fwrite(bytes, 1, n, stderr);
    fflush(stderr);
}

bool port_entropy(uint32_t *out)
{
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f)
        return false;
    size_t got = fread(out, sizeof *out, 1, f);
    fclose(f);
    return got == 1;
}

_Noreturn void port_exit(int status)
{
    fflush(stdout);
    exit(status);
}

void port_trial_done(uint32_t done, uint32_t total)
{
    (void)done; /* the progress line is all a host shows */
    (void)total;
}

uint64_t port_ticks(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t port_ticks_per_second(void)
{
    return 1000000000u;
}

int main(int argc, char **argv)
{
    /* A write to a pipe whose reader has gone must fail (EPIPE), not kill the program: for
     * stderr that write is dropped and the run goes on; for stdout it is reported below. */
    signal(SIGPIPE, SIG_IGN);
    int status = argc > 1 && strcmp(argv[1], "merge") == 0 ? nope_host_merge(argc - 2, argv + 2)
                                                           : nope_app_main(argc, (const char *const *)argv);
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout))
        note_report_error();
    if (report_errno != 0) {
        fprintf(stderr, "nope: could not write the report to stdout: %s\n", strerror(report_errno));
        status = 1;
    }
    port_exit(status);
}
