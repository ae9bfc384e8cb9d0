/* The program, written once over the port: parse flags, run, report. A host's main() and a
 * board's reset handler both end up here. */
#ifndef NOPE_APP_H
#define NOPE_APP_H

/* argv[0] is the program name. Returns the exit status: 0, or 2 for bad input. */
int nope_app_main(int argc, const char *const *argv);

#endif
