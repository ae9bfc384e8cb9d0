/* What the fixed-point kernel harnesses share: activations from the fuzzer's bytes and the
 * Q.F scale as long double. */
#ifndef NOPE_FUZZ_FIXED_UTIL_H
#define NOPE_FUZZ_FIXED_UTIL_H

#include "fuzz_util.h"

#include "nope/math_fixed.h"

#define Q_ONE ((long double)NOPE_FX_ONE)

/* An activation: 16 random bits shifted into place (so every magnitude from one LSB to the
 * int32 edges is reachable), or an edge value. */
FUZZ_READER int32_t take_act(fuzz_in *in, unsigned max_bits)
{
    uint8_t sel = take_u8(in);
    uint16_t bits = take_u8(in);
    bits |= (uint16_t)(take_u8(in) << 8);
    int32_t m = (int16_t)bits;
    if (sel == 0xFF)
        return INT32_MAX;
    if (sel == 0xFE)
        return INT32_MIN;
    unsigned shift = sel % (max_bits > 15 ? max_bits - 14 : 1);
    return (int32_t)((int64_t)m * ((int64_t)1 << shift));
}

#endif
