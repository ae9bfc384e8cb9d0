#include "nope/writer.h"

#include "nope/format.h"

uint64_t nope_fnv1a64(uint64_t hash, const char *bytes, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        hash ^= (uint8_t)bytes[k];
        hash *= UINT64_C(0x100000001b3);
    }
    return hash;
}

void nope_writer_init(nope_writer *w, const nope_sink *sink)
{
    w->sink = sink;
    w->checksum = NOPE_FNV1A64_INIT;
    w->len = 0;
}

void nope_writer_flush(nope_writer *w)
{
    w->checksum = nope_fnv1a64(w->checksum, w->piece, w->len);
    w->sink->write(w->sink->ctx, w->piece, w->len);
    w->len = 0;
}

void nope_writer_put(nope_writer *w, const char *s)
{
    while (*s) {
        if (w->len == NOPE_WRITER_PIECE)
            nope_writer_flush(w);
        w->piece[w->len++] = *s++;
    }
}

void nope_writer_put_u64(nope_writer *w, uint64_t v)
{
    char buf[NOPE_FMT_MAX];
    nope_fmt_u64(buf, v);
    nope_writer_put(w, buf);
}

void nope_writer_end_line(nope_writer *w)
{
    nope_writer_put(w, "\n");
    nope_writer_flush(w);
}

void nope_writer_checksum_line(nope_writer *w)
{
    nope_writer_flush(w);
    char hex[NOPE_FMT_MAX];
    nope_fmt_hex64(hex, w->checksum);
    nope_writer_put(w, "# checksum fnv1a64=");
    nope_writer_put(w, hex);
    nope_writer_end_line(w);
}
