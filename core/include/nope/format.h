/* Text for numbers, owned here so the report's bytes never depend on a C library's printf.
 * Each function writes into buf (which must hold NOPE_FMT_MAX bytes), NUL-terminates it and
 * returns the length. */
#ifndef NOPE_FORMAT_H
#define NOPE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "nope/config.h"

#define NOPE_FMT_MAX 48

/* Scientific with `sig` significant digits (1..18), rounded half up: "2.49756098e-03",
 * "-1.00000000e+00", "0.00000000e+00"; "inf", "-inf", "nan" for the specials. */
size_t nope_fmt_sci(char *buf, const nope_dec *v, unsigned sig);

/* Plain decimal, as short as the value allows: "0.02", "64", "0.00001", "-1.5". */
size_t nope_fmt_plain(char *buf, const nope_dec *v);

size_t nope_fmt_u64(char *buf, uint64_t v);

/* s written at buf + at (NUL-terminated): returns the new length, at + strlen(s). */
size_t nope_fmt_append(char *buf, size_t at, const char *s);

/* 16 lower-case hex digits. */
size_t nope_fmt_hex64(char *buf, uint64_t v);

#endif
