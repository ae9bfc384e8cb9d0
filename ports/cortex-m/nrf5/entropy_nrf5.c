/* RNG of the nRF51 and the nRF52 (0x4000D000, the same registers on both; QEMU models the
 * nRF51's): four 8-bit samples with bias correction (CONFIG.DERCEN) make one word. Bounded
 * waits: a peripheral that never signals VALRDY yields false instead of a hang. */
#include "../cm.h"

#define RNG_BASE 0x4000D000u
#define RNG_TASKS_START CM_REG(RNG_BASE + 0x000u)
#define RNG_TASKS_STOP CM_REG(RNG_BASE + 0x004u)
#define RNG_EVENTS_VALRDY CM_REG(RNG_BASE + 0x100u)
#define RNG_CONFIG CM_REG(RNG_BASE + 0x504u)
#define RNG_VALUE CM_REG(RNG_BASE + 0x508u)
#define RNG_CONFIG_DERCEN 1u
#define RNG_MAX_POLLS 1000000u

bool cm_entropy(uint32_t *out)
{
    uint32_t word = 0;
    bool ok = true;
    RNG_CONFIG = RNG_CONFIG_DERCEN;
    RNG_EVENTS_VALRDY = 0u;
    RNG_TASKS_START = 1u;
    for (int i = 0; i < 4 && ok; i++) {
        uint32_t polls = 0;
        while (RNG_EVENTS_VALRDY == 0u && ++polls < RNG_MAX_POLLS) {
        }
        ok = RNG_EVENTS_VALRDY != 0u;
        RNG_EVENTS_VALRDY = 0u;
        word = (word << 8) | (RNG_VALUE & 0xFFu);
    }
    RNG_TASKS_STOP = 1u;
    if (ok) {
        *out = word;
    }
    return ok;
}
