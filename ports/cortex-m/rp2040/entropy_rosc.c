/* `--seed random` on the RP2040 from the ring oscillator's RANDOMBIT: one sample of a free-
 * running, temperature- and voltage-dependent oscillator. Good enough to pick a seed that
 * differs between runs; NOT a cryptographic source (its bits are correlated and can be biased,
 * and nothing here tests it). Pairs of samples are debiased the von Neumann way (01 -> 0,
 * 10 -> 1, 00 and 11 dropped), with a bound: a stuck bit yields false, not a hang. */
#include "rp2040.h"

bool cm_entropy(uint32_t *out)
{
    uint32_t word = 0, bits = 0;
    for (uint32_t pairs = 0; bits < 32u && pairs < RP_MAX_POLLS; pairs++) {
        uint32_t a = ROSC_RANDOMBIT & 1u, b = ROSC_RANDOMBIT & 1u;
        if (a != b) {
            word = (word << 1) | a;
            bits++;
        }
    }
    if (bits < 32u) {
        return false;
    }
    *out = word;
    return true;
}
