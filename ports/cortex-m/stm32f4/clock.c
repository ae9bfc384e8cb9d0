/* The STM32F4 clock tree of stm32f4_board.h: regulator scale, the HSE where the board uses
 * its crystal, the main PLL, flash wait states, bus prescalers, then the switch to the PLL.
 * Every ready flag is polled at most STM32_READY_POLLS times: a part that never answers (QEMU
 * does not model the RCC) leaves the core on its reset clock, and the caller says so. */
#include "stm32f4.h"

#define HSI_HZ 16000000u
#define PLL_IN_HZ (STM32_HSE_HZ ? STM32_HSE_HZ : HSI_HZ)
#define VCO_IN_HZ (PLL_IN_HZ / STM32_PLL_M)
#define VCO_HZ (VCO_IN_HZ * STM32_PLL_N)

/* The board's numbers against the limits of RM0383/RM0090 and against CM_CPU_HZ, which the
 * rest of the port (and the docs) take as the clock. */
_Static_assert(VCO_HZ / STM32_PLL_P == CM_CPU_HZ, "stm32f4_board.h: the PLL does not make CM_CPU_HZ");
_Static_assert(VCO_IN_HZ >= 1000000u && VCO_IN_HZ <= 2000000u, "PLL input must be 1 to 2 MHz");
_Static_assert(VCO_HZ >= 100000000u && VCO_HZ <= 432000000u, "PLL VCO must be 100 to 432 MHz");
_Static_assert(STM32_PLL_M >= 2u && STM32_PLL_M <= 63u, "PLLM is 2 to 63");
_Static_assert(STM32_PLL_N >= 50u && STM32_PLL_N <= 432u, "PLLN is 50 to 432");
_Static_assert(STM32_PLL_P == 2u || STM32_PLL_P == 4u || STM32_PLL_P == 6u || STM32_PLL_P == 8u,
               "PLLP is 2, 4, 6 or 8");
_Static_assert(STM32_PLL_Q >= 2u && STM32_PLL_Q <= 15u, "PLLQ is 2 to 15");
_Static_assert(CM_CPU_HZ / STM32_APB1_DIV <= 50000000u, "APB1 runs at 50 MHz at most (42 on the F405/F407)");

uint32_t stm32_apb1_hz = STM32_RESET_HZ, stm32_apb2_hz = STM32_RESET_HZ;

/* true once (reg & mask) == want, false after STM32_READY_POLLS reads. */
static bool wait_for(volatile uint32_t *reg, uint32_t mask, uint32_t want)
{
    for (uint32_t polls = 0; polls < STM32_READY_POLLS; polls++) {
        if ((*reg & mask) == want) {
            return true;
        }
    }
    return false;
}

/* PPRE field value for a divider of 1, 2, 4, 8 or 16. */
static uint32_t ppre_bits(uint32_t div)
{
    uint32_t bits = 0;
    for (uint32_t d = div; d > 1u; d >>= 1) {
        bits++;
    }
    return bits ? 3u + bits : 0u;
}

static void on_reset_clock(void)
{
    cm_cpu_hz = STM32_RESET_HZ;
    stm32_apb1_hz = stm32_apb2_hz = STM32_RESET_HZ;
}

const char *stm32_clock_init(void)
{
    on_reset_clock();
    RCC_APB1ENR |= RCC_APB1ENR_PWREN;
    (void)RCC_APB1ENR; /* the read-back lets the enable take effect before PWR is written */
    PWR_CR = (PWR_CR & ~PWR_CR_VOS_MASK) | STM32_PWR_VOS;

    if (STM32_HSE_HZ) {
        RCC_CR |= RCC_CR_HSEON;
        if (!wait_for(&RCC_CR, RCC_CR_HSERDY, RCC_CR_HSERDY)) {
            RCC_CR &= ~RCC_CR_HSEON;
            return "the HSE crystal did not start";
        }
    }
    RCC_PLLCFGR = STM32_PLL_M | (STM32_PLL_N << 6) | ((STM32_PLL_P / 2u - 1u) << 16) | (STM32_PLL_Q << 24) |
                  (STM32_HSE_HZ ? RCC_PLLCFGR_SRC_HSE : 0u);
    RCC_CR |= RCC_CR_PLLON;
    if (!wait_for(&RCC_CR, RCC_CR_PLLRDY, RCC_CR_PLLRDY)) {
        RCC_CR &= ~RCC_CR_PLLON;
        return "the PLL did not lock";
    }
    /* Wait states before the faster clock, confirmed by reading them back. */
    FLASH_ACR = FLASH_ACR_ICEN | FLASH_ACR_DCEN | FLASH_ACR_PRFTEN | STM32_FLASH_WAIT_STATES;
    if (!wait_for(&FLASH_ACR, FLASH_ACR_LATENCY_MASK, STM32_FLASH_WAIT_STATES)) {
        RCC_CR &= ~RCC_CR_PLLON;
        return "the flash wait states did not take";
    }
    uint32_t before = RCC_CFGR;
    uint32_t cfgr = before & ~((RCC_CFGR_PPRE_MASK << RCC_CFGR_PPRE1_SHIFT) |
                               (RCC_CFGR_PPRE_MASK << RCC_CFGR_PPRE2_SHIFT) | RCC_CFGR_SW_MASK);
    cfgr |= (ppre_bits(STM32_APB1_DIV) << RCC_CFGR_PPRE1_SHIFT) | (ppre_bits(STM32_APB2_DIV) << RCC_CFGR_PPRE2_SHIFT);
    RCC_CFGR = cfgr; /* still on the HSI: the buses slow down first */
    RCC_CFGR = cfgr | RCC_CFGR_SW_PLL;
    if (!wait_for(&RCC_CFGR, RCC_CFGR_SWS_MASK, RCC_CFGR_SWS_PLL)) {
        RCC_CFGR = before; /* back on the HSI, buses undivided */
        return "the system clock did not switch to the PLL";
    }
    cm_cpu_hz = CM_CPU_HZ;
    stm32_apb1_hz = CM_CPU_HZ / STM32_APB1_DIV;
    stm32_apb2_hz = CM_CPU_HZ / STM32_APB2_DIV;
    return NULL;
}
