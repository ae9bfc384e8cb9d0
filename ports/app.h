/* The program, written once over the port: parse flags, run, report. A host's main() and a
 * board's reset handler both end up here. */
#ifndef NOPE_APP_H
#define NOPE_APP_H

#include "nope/config.h"

/* argv[0] is the program name. Returns the exit status: 0, or 2 for bad input. With --shard k/K
 * the report stream gets the shard's partial (nope/partial.h) instead of the report. */
int nope_app_main(int argc, const char *const *argv);

/* The report of the run the statistics hold (after a run or a merge), and its warnings on the
 * diagnostic stream. Returns the exit status. */
int nope_app_report(const nope_config *cfg);

#endif
