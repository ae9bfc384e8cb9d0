/* Reads a file whole: a regular file, or anything that reads to its end (a pipe, /dev/stdin). */
#define _POSIX_C_SOURCE 200809L
#include "text_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

uint8_t *nope_text_file_read(const char *path, size_t max_bytes, size_t *n, char *why, size_t why_cap)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) {
        snprintf(why, why_cap, "%s", strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        snprintf(why, why_cap, "a directory, not a file");
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (ferror(f) || len > max_bytes || len < cap)
            break;
        uint8_t *more = realloc(buf, cap * 2);
        if (!more)
            free(buf);
        buf = more, cap *= 2;
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (buf && !err && len <= max_bytes) {
        *n = len;
        return buf;
    }
    free(buf);
    if (!buf)
        snprintf(why, why_cap, "out of memory reading it");
    else if (err)
        snprintf(why, why_cap, "%s", strerror(err));
    else
        snprintf(why, why_cap, "over %zu bytes, this program's limit", max_bytes);
    return NULL;
}
