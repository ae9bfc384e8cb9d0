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

bool port_input(const char *name, const uint8_t **bytes, size_t *size, const char **why)
{
    /* The whole file into one buffer, grown as it comes (a pipe has no size to ask for). Kept
     * until exit: the core reads the model and the text where they lie. */
    FILE *f = fopen(name, "rb");
    if (f == NULL) {
        *why = strerror(errno);
        return false;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) {
            fclose(f);
            *why = "out of memory reading it";
            return false;
        }
        errno = 0;
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap && ferror(f)) { /* a directory (EISDIR), a device that failed */
            int err = errno != 0 ? errno : EIO;
            fclose(f);
            free(buf);
            *why = strerror(err);
            return false;
        }
        if (n < cap)
            break;
        uint8_t *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (bigger == NULL)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    *bytes = buf;
    *size = n;
    return true;
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
