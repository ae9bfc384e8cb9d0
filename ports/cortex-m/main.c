/* The board program: the experiment flags were fixed at build time (make ... EXP="..."), and
 * ports/cortex-m/gen_args.sh turned them into the argv array in the build directory's
 * exp_args.h. FAULT_TEST=1 (undefined instruction) or FAULT_TEST=2 (load from an address with
 * nothing behind it) faults before the experiment, to show the fault report. */
#include "cm.h"
#include "exp_args.h"

#include "app.h"

#ifndef FAULT_TEST
#define FAULT_TEST 0
#endif

int main(void)
{
#if FAULT_TEST == 1
    __asm__ volatile("udf #0");
#elif FAULT_TEST == 2
    (void)*(volatile uint32_t *)(uintptr_t)CM_FAULT_ADDRESS;
#elif FAULT_TEST != 0
#error "FAULT_TEST must be 0 (none), 1 (undefined instruction) or 2 (bad load)"
#endif
    cm_board_ready();
    return nope_app_main(NOPE_EXP_ARGC, nope_exp_argv);
}
