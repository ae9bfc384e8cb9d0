/* A whole file read into memory (nope-train's --text). Host only. */
#ifndef NOPE_TEXT_FILE_H
#define NOPE_TEXT_FILE_H

#include <stddef.h>
#include <stdint.h>

/* The file's bytes in a malloc'd buffer (*bytes, *n; free it), at most max_bytes of them.
 * On failure NULL, and why in `why` (one phrase: "No such file or directory", "a directory",
 * "over 1073741824 bytes", ...). */
uint8_t *nope_text_file_read(const char *path, size_t max_bytes, size_t *n, char *why, size_t why_cap);

#endif
