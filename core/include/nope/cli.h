/* The program's flags, parsed by the core so a host and a board image (whose flags are compiled
 * in) read them identically. Every value is range-checked against this build's capacity. */
#ifndef NOPE_CLI_H
#define NOPE_CLI_H

#include <stddef.h>

#include "nope/config.h"
#include "nope/flag_text.h"

/* An error line's buffer: what is allowed always fits after the NOPE_FLAG_ECHO_MAX bytes of what
 * the user typed that a message repeats (nope/flag_text.h). */
#define NOPE_CLI_ERR_MAX 256

/* Parse argv[0..argc) (flags only, no program name) over the defaults into cfg.
 * NOPE_OK; NOPE_HELP for --help; otherwise an error with one line (no newline) in err that
 * names the flag, the value and what is allowed; bytes under 0x20 or from 0x7f up show as '?'.
 * cfg is complete only on NOPE_OK. */
nope_status nope_cli_parse(int argc, const char *const *argv, nope_config *cfg, char *err);

/* The --help text. */
const char *nope_cli_usage(void);

#endif
