/* One-line messages about command-line flags, and the parsers of whole-number and decimal flag
 * values that write them: shared by nope (core/src/cli.c) and nope-train (ports/train_flags.c), so
 * that both programs refuse a bad value in the same words. A message is written into the caller's
 * buffer and always stays one printable line that fits it. */
#ifndef NOPE_FLAG_TEXT_H
#define NOPE_FLAG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nope/decimal.h"
#include "nope/config.h" /* nope_status */

/* A message repeats at most this many bytes of a flag or value the user typed (then "..."), so
 * that what is allowed, said after it, always fits. */
#define NOPE_FLAG_ECHO_MAX 64

/* A message being written into buf[0..cap), kept NUL-terminated. */
typedef struct {
    char *buf;
    size_t len, cap;
} nope_msg;

/* An empty message in buf (cap >= 1 bytes). */
nope_msg nope_msg_start(char *buf, size_t cap);
/* Appends text; bytes under 0x20 and from 0x7f up (control bytes, and bytes not text in every
 * terminal's encoding, perhaps half a character) become '?'. What does not fit is dropped. */
void nope_msg_say(nope_msg *m, const char *s);
void nope_msg_u64(nope_msg *m, uint64_t v);
/* What the user typed: its first NOPE_FLAG_ECHO_MAX bytes and "..." when longer; '' when empty. */
void nope_msg_echo(nope_msg *m, const char *typed);
/* "flag value: " (or "flag: " when value is NULL): how every message about one argument begins. */
void nope_msg_about(nope_msg *m, const char *flag, const char *value);

/* err := "flag value: why" (one line of at most cap bytes); returns status. */
nope_status nope_flag_refuse(char *err, size_t cap, nope_status status, const char *flag, const char *value,
                             const char *why);

/* A whole-number flag in [lo, hi]; hi is this build's capacity of that name when cap_name is given
 * (an over-capacity value says so, and is NOPE_ERR_CAPACITY). Otherwise NOPE_ERR_ARG with
 * "not a whole number" or "out of range"; each message ends with "; allowed lo..hi". */
nope_status nope_flag_uint(const char *flag, const char *value, uint64_t lo, uint64_t hi, const char *cap_name,
                           uint64_t *out, char *err, size_t cap);

/* A decimal flag in [lo, hi], both given as text (and so said exactly as written). */
nope_status nope_flag_decimal(const char *flag, const char *value, const char *lo, const char *hi, nope_dec *out,
                              char *err, size_t cap);

/* a and b are the same string. */
bool nope_flag_same(const char *a, const char *b);

#endif
