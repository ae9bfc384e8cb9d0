/* The F405/F407 random number generator (RM0090 section 24), for `--seed random`. As the
 * manual asks, the first word after enabling it is not used but kept, and every word is
 * compared with the one before: a repeat, a clock or seed error, or no word within
 * STM32_READY_POLLS polls (no 48 MHz clock: the PLL did not lock; or no RNG model, as under
 * QEMU) gives false, and the program refuses `--seed random` with its clear error. */
#include "stm32f4.h"

static bool started;
static uint32_t previous;

static bool rng_word(uint32_t *out)
{
    for (uint32_t polls = 0; polls < STM32_READY_POLLS; polls++) {
        uint32_t sr = RNG_SR;
        if (sr & (RNG_SR_CECS | RNG_SR_SECS)) {
            return false;
        }
        if (sr & RNG_SR_DRDY) {
            *out = RNG_DR;
            return true;
        }
    }
    return false;
}

bool cm_entropy(uint32_t *out)
{
    if (!started) {
        RCC_AHB2ENR |= RCC_AHB2ENR_RNGEN;
        (void)RCC_AHB2ENR;
        RNG_CR |= RNG_CR_RNGEN;
        if (!rng_word(&previous)) {
            return false;
        }
        started = true;
    }
    uint32_t word;
    if (!rng_word(&word) || word == previous) {
        return false;
    }
    previous = word;
    *out = word;
    return true;
}
