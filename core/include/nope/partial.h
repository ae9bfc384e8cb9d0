/* Partials: the exact sums of one shard of a run (--shard k/K), as text, so that shards made
 * anywhere (cores, machines, boards) merge into the very bytes of the report of one run. The
 * sums are exact in both numeric modes (nope/num.h), so the merge does not depend on how the
 * trials were split or in which order the parts come. Layout (v1):
 *
 *   # nope-variance partial v1
 *   # mode=f32                                (the numeric mode, as in the report)
 *   # config d=64 heads=4 ... trials=1000 seed=1   (the report's configuration line: the whole run)
 *   # trials from=0 to=143                    (this part's trials, 0-based, half-open)
 *   # counts inexact=0                        (the mode's counters; fixed: saturations=N underflows=N)
 *   layer,pos,attn,hid
 *   1,1,<sums>,<sums>                         (one row per layer and position, 1-based; the sums
 *                                              as nope_moments_text writes them)
 *   # checksum fnv1a64=<16 hex digits>        (FNV-1a 64 of every byte before this line)
 *
 * Merging happens in core (a board makes partials, a host merges them), from byte buffers the
 * program reads; nothing here does I/O or allocates. */
#ifndef NOPE_PARTIAL_H
#define NOPE_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"
#include "nope/writer.h"

/* Write the partial of the last nope_experiment_run with this (sharded) configuration. */
void nope_partial_write(const nope_config *cfg, const nope_sink *sink);

/* Merging: nope_merge_begin, then nope_merge_part for each part in any order, then
 * nope_merge_end; the statistics then hold the whole run, for nope_report_write with the
 * configuration nope_merge_end gives. A part refused leaves the merge unusable: begin again.
 * Errors are one line (no newline) into err of NOPE_MERGE_ERR_MAX bytes, saying what is wrong
 * with the part; the program adds which part it is. */
#define NOPE_MERGE_ERR_MAX 256
/* The most parts one merge takes (their trial ranges are kept to check coverage). */
#ifndef NOPE_MAX_PARTS
#define NOPE_MAX_PARTS 4096
#endif

void nope_merge_begin(void);
nope_status nope_merge_part(const char *text, size_t len, char *err);
/* NOPE_OK once the parts cover every trial exactly once; *cfg is then the run's configuration. */
nope_status nope_merge_end(nope_config *cfg, char *err);

#endif
