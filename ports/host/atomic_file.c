#define _POSIX_C_SOURCE 200809L
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "<dir>/.<name>.<pid>.tmp" and "<dir>" for path; false when they do not fit. */
static bool names(const char *path, char *tmp, size_t tmp_cap, char *dir, size_t dir_cap)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    int dn = slash ? (int)(slash - path) : 0;
    int a = slash ? snprintf(dir, dir_cap, "%.*s", dn == 0 ? 1 : dn, path) : snprintf(dir, dir_cap, ".");
    int b = snprintf(tmp, tmp_cap, "%.*s.%s.%ld.tmp", slash ? dn + 1 : 0, path, name, (long)getpid());
    return a > 0 && (size_t)a < dir_cap && b > 0 && (size_t)b < tmp_cap && name[0] != '\0';
}

static bool fail(char *why, size_t why_cap, const char *what, int err)
{
    snprintf(why, why_cap, "%s: %s", what, strerror(err));
    return false;
}

bool nope_atomic_probe(const char *path, char *why, size_t why_cap)
{
    char tmp[4096], dir[4096];
    struct stat st;
    if (!names(path, tmp, sizeof tmp, dir, sizeof dir)) {
        snprintf(why, why_cap, "not a file name (too long, or ends in '/')");
        return false;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, why_cap, "a directory; allowed a file name");
        return false;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0)
        return fail(why, why_cap, "cannot create a file in its directory", errno);
    close(fd);
    unlink(tmp);
    return true;
}

bool nope_atomic_write(const char *path, const uint8_t *bytes, size_t n, char *why, size_t why_cap)
{
    char tmp[4096], dir[4096];
    if (!names(path, tmp, sizeof tmp, dir, sizeof dir)) {
        snprintf(why, why_cap, "not a file name (too long, or ends in '/')");
        return false;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return fail(why, why_cap, "cannot create the temporary file", errno);
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, bytes + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = w < 0 ? errno : EIO;
            close(fd);
            unlink(tmp);
            return fail(why, why_cap, "writing the temporary file", err);
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int err = errno;
        unlink(tmp);
        return fail(why, why_cap, "flushing the temporary file to disk", err);
    }
    if (rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return fail(why, why_cap, "renaming the temporary file over it", err);
    }
    /* The rename itself reaches the disk once the directory is synced. */
    int dfd = open(dir, O_RDONLY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return true;
}
