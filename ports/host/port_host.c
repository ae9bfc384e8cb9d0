/* The x86-64 (any POSIX) host port: stdout/stderr, /dev/urandom, CLOCK_MONOTONIC. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../app.h"
#include "../port.h"

void port_write(port_stream stream, const char *bytes, size_t n)
{
    FILE *f = stream == PORT_STREAM_REPORT ? stdout : stderr;
    fwrite(bytes, 1, n, f);
    if (stream == PORT_STREAM_DIAG)
        fflush(f);
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
    int status = nope_app_main(argc, (const char *const *)argv);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("nope: could not write the report to stdout\n", stderr);
        status = 1;
    }
    port_exit(status);
}
