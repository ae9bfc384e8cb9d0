/* Stand-in for ports/app.c while it does not exist: prints a small report-shaped text (the
 * flags it got, one float sum, the clock and the entropy source) so the boards can be brought
 * up. Never linked once ports/app.c exists. */
#include "cm.h"
#include "port.h"

int nope_app_main(int argc, char **argv);

static void put(port_stream s, const char *z)
{
    size_t n = 0;
    while (z[n]) {
        n++;
    }
    port_write(s, z, n);
}

int nope_app_main(int argc, char **argv)
{
    put(PORT_STREAM_DIAG, "test app: the port bring-up stand-in, not the experiment\n");
    put(PORT_STREAM_REPORT, "# test report\nargs");
    for (int i = 1; i < argc; i++) {
        put(PORT_STREAM_REPORT, ",");
        put(PORT_STREAM_REPORT, argv[i]);
    }
    volatile float x = 0.1f;
    float acc = 0.0f;
    for (int i = 0; i < 1000; i++) {
        acc += x * x;
    }
    uint32_t bits;
    __builtin_memcpy(&bits, &acc, sizeof bits);
    char hex[] = "\nfloat,0x00000000\n";
    for (int i = 0; i < 8; i++) {
        hex[9 + i] = "0123456789abcdef"[(bits >> (28 - 4 * i)) & 0xFu];
    }
    put(PORT_STREAM_REPORT, hex);
    uint32_t e;
    put(PORT_STREAM_DIAG, port_entropy(&e) ? "entropy: yes\n" : "entropy: none\n");
    uint64_t t = port_ticks();
    put(PORT_STREAM_DIAG, t > 0 && port_ticks_per_second() > 0 ? "clock: running\n" : "clock: stopped\n");
    put(PORT_STREAM_REPORT, "# checksum 0\n");
    return 0;
}
