/* Files replaced whole or not at all (nope-train's --out): the bytes go to a temporary file in
 * the same directory, named "<dir>/.<name>.<pid>.tmp", which is flushed to the disk (fsync) and
 * then renamed over the path, and the directory is synced. A reader sees the old file or the new
 * one, never a mix; a process killed before the rename leaves the old file as it was (and at
 * worst that clearly named temporary file). Host only (POSIX). */
#ifndef NOPE_ATOMIC_FILE_H
#define NOPE_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether `path` can be written this way: not a directory, and its directory takes a new file
 * (created and removed at once). false with why (one phrase) when not. */
bool nope_atomic_probe(const char *path, char *why, size_t why_cap);

/* Replace `path` with n bytes. false with why when any step fails; the temporary file is then
 * removed and `path` is as it was. */
bool nope_atomic_write(const char *path, const uint8_t *bytes, size_t n, char *why, size_t why_cap);

#endif
