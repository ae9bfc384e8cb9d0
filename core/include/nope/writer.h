/* Text leaving the core: a byte sink the program supplies, and a writer that sends lines to it
 * in small pieces (a small board's stack is a few hundred bytes) while keeping the FNV-1a 64
 * checksum of every byte sent. The report and the partial are written through it. */
#ifndef NOPE_WRITER_H
#define NOPE_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* Where the bytes go. */
typedef struct {
    void (*write)(void *ctx, const char *bytes, size_t n);
    void *ctx;
} nope_sink;

/* FNV-1a 64-bit over bytes, continuing from hash (start with NOPE_FNV1A64_INIT). */
#define NOPE_FNV1A64_INIT UINT64_C(0xcbf29ce484222325)
uint64_t nope_fnv1a64(uint64_t hash, const char *bytes, size_t n);

enum { NOPE_WRITER_PIECE = 96 };
typedef struct {
    const nope_sink *sink;
    uint64_t checksum; /* of every byte already sent */
    char piece[NOPE_WRITER_PIECE];
    size_t len;
} nope_writer;

void nope_writer_init(nope_writer *w, const nope_sink *sink);
void nope_writer_put(nope_writer *w, const char *s);
void nope_writer_put_u64(nope_writer *w, uint64_t v);
/* "\n", and the line leaves. */
void nope_writer_end_line(nope_writer *w);
/* Send what is held (the checksum then covers it). */
void nope_writer_flush(nope_writer *w);
/* "# checksum fnv1a64=<16 hex digits>\n": the checksum of every byte before this line. */
void nope_writer_checksum_line(nope_writer *w);

#endif
