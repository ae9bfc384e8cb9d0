/* memcpy and memset for the linker: GCC may emit calls to them even with -ffreestanding
 * (struct copies, zero-initialised arrays). Only what the compiler emits is linked
 * (--gc-sections). Every board object is built with -fno-tree-loop-distribute-patterns, so
 * the loops below are not themselves turned back into calls to memcpy/memset. */
#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) {
        *d++ = *s++;
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--) {
        *d++ = (unsigned char)c;
    }
    return dst;
}
