/* The platform boundary: everything the program needs from a machine, and nothing else.
 *
 * core/ never calls these: the program (ports/app.c) passes the seed and a byte sink into the
 * core, so the core links and unit-tests without any port. One .c per port implements this
 * header (ports/host/port_host.c, ports/cortex-m/port_cortex_m.c); ports/template/ documents
 * each function for whoever writes the next one. */
#ifndef NOPE_PORT_H
#define NOPE_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nope/parallel.h"

/* Where bytes go. The report stream carries only the report (stdout on a host); the diagnostic
 * stream carries banners, progress, errors and fault dumps (stderr on a host). A board with a
 * single channel may send both to it: tools/compare extracts the report from such a capture. */
typedef enum { PORT_STREAM_REPORT = 1, PORT_STREAM_DIAG = 2 } port_stream;

/* Write n bytes, blocking until they are handed to the platform. */
void port_write(port_stream stream, const char *bytes, size_t n);

/* One 32-bit word of entropy for `--seed random`; false when the platform has none, in which
 * case the program refuses `--seed random` with a clear error rather than inventing a seed. */
bool port_entropy(uint32_t *out);

/* Leave the program with this status; never returns. */
_Noreturn void port_exit(int status);

/* After each trial (done of total), called by the program: a board blinks its LED and writes the
 * trial's cycle count to the diagnostic stream, so a person watching it sees it work; a host does
 * nothing. Never touches the report. Called once with done = 0 just before the first trial: the
 * trials start now (so the first count leaves out the flags, the banner and a model's parsing). */
void port_trial_done(uint32_t done, uint32_t total);

/* Optional clock for progress and benchmarks: a free-running tick count and its rate.
 * A port without a clock returns 0 from port_ticks_per_second(). */
uint64_t port_ticks(void);
uint64_t port_ticks_per_second(void);

/* Threads, optional. How many workers a run uses when --threads is not given: the cores the
 * program may use (1 where there are no threads; the program caps it at NOPE_MAX_THREADS). */
uint32_t port_cores(void);

/* The platform's parallel-for (its contract is in nope/parallel.h), or NULL where there are no
 * threads: the core then runs every range in turn itself. A port may run more workers than it has
 * cores (--threads N is anything up to NOPE_MAX_THREADS); the report is the same either way. */
nope_parallel_for_fn port_parallel(void);

/* The bytes of an input the flags name by `name` (--model FILE, --text FILE): *bytes and *size,
 * valid until the program exits, never written. A host reads the file into memory; a board hands
 * over what it links into flash (no copy in RAM). false, with *why one line (no newline) saying
 * why, when there is no such input. */
bool port_input(const char *name, const uint8_t **bytes, size_t *size, const char **why);

#endif
