/* `nope merge PART...`: the host reads the parts, the core merges them (nope/partial.h), and the
 * report of the whole run goes to stdout as one run would print it. Nothing reaches stdout
 * unless every part is sound and together they cover the run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app.h"
#include "merge_host.h"
#include "nope/partial.h"

/* The whole file into a fresh buffer (*len bytes), or NULL with errno set. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *grown = realloc(buf, cap *= 2);
        if (!grown)
            free(buf);
        buf = grown;
    }
    int read_error = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (buf && read_error) {
        free(buf);
        errno = read_error;
        return NULL;
    }
    if (!buf)
        errno = ENOMEM;
    *len = n;
    return buf;
}

int nope_host_merge(int n_parts, char **parts)
{
    if (n_parts == 0) {
        fprintf(stderr, "nope: merge: no parts given; usage: nope merge PART... (partials of nope --shard k/K)\n");
        return 2;
    }
    char err[NOPE_MERGE_ERR_MAX];
    nope_merge_begin();
    for (int k = 0; k < n_parts; k++) {
        size_t len;
        char *text = read_file(parts[k], &len);
        if (!text) {
            fprintf(stderr, "nope: merge: %s: cannot read it: %s\n", parts[k], strerror(errno));
            return 2;
        }
        nope_status st = nope_merge_part(text, len, err);
        free(text);
        if (st != NOPE_OK) {
            fprintf(stderr, "nope: merge: %s: %s\n", parts[k], err);
            return 2;
        }
    }
    nope_config cfg;
    if (nope_merge_end(&cfg, err) != NOPE_OK) {
        fprintf(stderr, "nope: merge: %s\n", err);
        return 2;
    }
    return nope_app_report(&cfg);
}
