/* Cortex-M port internals: the few system registers the port touches, the linker symbols it
 * reads, and the hooks each driver file provides. Boards choose drivers in boards/<b>/board.mk;
 * nothing here is visible to core/ or to the program. */
#ifndef NOPE_CM_H
#define NOPE_CM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* System Control Space (ARMv6-M, ARMv7-M and ARMv8-M agree on these addresses). */
#define CM_SYST_CSR CM_REG(0xE000E010u)  /* SysTick control and status */
#define CM_SYST_RVR CM_REG(0xE000E014u)  /* SysTick reload value (24 bits) */
#define CM_SYST_CVR CM_REG(0xE000E018u)  /* SysTick current value (counts down) */
#define CM_SCB_ICSR CM_REG(0xE000ED04u)  /* interrupt control and state */
#define CM_SCB_VTOR CM_REG(0xE000ED08u)  /* vector table offset (not on ARMv6-M) */
#define CM_SCB_CFSR CM_REG(0xE000ED28u)  /* configurable fault status (ARMv7-M/ARMv8-M main) */
#define CM_SCB_HFSR CM_REG(0xE000ED2Cu)  /* HardFault status */
#define CM_SCB_MMFAR CM_REG(0xE000ED34u) /* MemManage fault address */
#define CM_SCB_BFAR CM_REG(0xE000ED38u)  /* BusFault address */
#define CM_SCB_CPACR CM_REG(0xE000ED88u) /* coprocessor access: CP10/CP11 = the FPU */

#define CM_SYST_CSR_ENABLE 0x1u
#define CM_SYST_CSR_TICKINT 0x2u
#define CM_SYST_CSR_CLKSOURCE 0x4u /* 1 = processor clock */
#define CM_SYST_MAX 0x00FFFFFFu
#define CM_ICSR_PENDSTSET (1u << 26) /* SysTick exception pending */
#define CM_CPACR_CP10_CP11_FULL (0xFu << 20)

/* Main-extension cores (M3/M4/M7/M33) have CFSR, HFSR, VTOR; baseline (M0) does not. */
#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8M_MAIN__)
#define CM_HAS_FAULT_REGS 1
#else
#define CM_HAS_FAULT_REGS 0
#endif

/* Output channel, chosen at build time (make ... OUT=semihost|uart). */
#define CM_OUT_SEMIHOST 1
#define CM_OUT_UART 2
#ifndef CM_OUT
#define CM_OUT CM_OUT_SEMIHOST
#endif
#if CM_OUT != CM_OUT_SEMIHOST && CM_OUT != CM_OUT_UART
#error "CM_OUT must be CM_OUT_SEMIHOST or CM_OUT_UART (make OUT=semihost or OUT=uart)"
#endif
/* Semihosting present (a debugger or QEMU answers BKPT 0xAB). Without it, port_exit parks the
 * core and OUT must be uart: a BKPT with nobody listening is itself a fault on real silicon. */
#ifndef CM_SEMIHOSTING
#define CM_SEMIHOSTING 1
#endif
#if !CM_SEMIHOSTING && CM_OUT == CM_OUT_SEMIHOST
#error "CM_OUT_SEMIHOST needs CM_SEMIHOSTING=1"
#endif
/* Processor clock in Hz, for port_ticks_per_second(); set in board.mk. */
#ifndef CM_CPU_HZ
#error "CM_CPU_HZ (processor clock in Hz) must come from boards/<board>/board.mk"
#endif

/* Exit status of a run that faulted, and of one whose stack overflowed into the painted guard. */
#define CM_STATUS_FAULT 70
#define CM_STATUS_STACK 71
/* A diagnostic line on a shared UART starts with this, so tools/qemu-run can split the streams. */
#define CM_DIAG_PREFIX "diag| "

/* Linker symbols (boards/<b>/linker.ld, via ports/cortex-m/sections.ld). */
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_bottom[], __stack_top[];
extern uint32_t __ram_start[], __ram_end[];

/* semihost.c: ARM semihosting calls (BKPT 0xAB). Each returns what the host returned. */
int32_t cm_semihost_open_tt(bool for_append);
int32_t cm_semihost_write(int32_t handle, const char *bytes, size_t n);
void cm_semihost_write0(const char *z);
_Noreturn void cm_semihost_exit(int status);

/* uart_<chip>.c: polled transmit on the board's console UART. */
void cm_uart_init(void);
void cm_uart_putc(uint8_t c);

/* entropy_<chip>.c: one word from a hardware RNG, false if the board has none. */
bool cm_entropy(uint32_t *out);

/* port_cortex_m.c: small formatted writes for the fault handler and the stack report. */
void cm_diag_str(const char *z);
void cm_diag_hex(const char *name, uint32_t v);
void cm_diag_dec(uint32_t v);
void cm_ticks_init(void);
void cm_output_init(void);
void cm_systick_handler(void);

/* The processor clock in Hz as the board's clock code left it: CM_CPU_HZ unless a board's
 * cm_board_init found otherwise (a PLL that did not lock). SysTick counts it, so
 * port_ticks_per_second() reports it. */
extern uint32_t cm_cpu_hz;

/* startup.c: the board's hook, run at reset after .data and .bss are set up and before the
 * output starts (clocks first, so that a UART's baud divider sees the final clock); the weak
 * default does nothing. */
void cm_board_init(void);

/* Board hooks around the trials (port_cortex_m.c has weak defaults):
 *   cm_board_ready       once the output works, before the program: the board's banner (the
 *                        clock it got, where its LED and cycle counts come from);
 *   cm_board_trial_done  after each trial: blink the LED;
 *   cm_cycles            a 64-bit count of processor cycles for the per-trial line (default:
 *                        port_ticks, SysTick on the processor clock; DWT where it counts). */
void cm_board_ready(void);
void cm_board_trial_done(uint32_t done, uint32_t total);
uint64_t cm_cycles(void);
/* The files a trained-model image links into flash (make MODEL=FILE TEXT=FILE: the table is in the
 * build's inputs.S, ports/cortex-m/gen_inputs.sh), each under the name its argv gives it, ended
 * by a NULL name. An image built without them has no table: the weak reference is NULL. */
typedef struct {
    const char *name;
    const uint8_t *bytes;
    uint32_t size;
} cm_input;
extern const cm_input cm_inputs[] __attribute__((weak));

/* startup.c: stack high-water mark from the painted stack, in bytes. */
uint32_t cm_stack_used(void);
bool cm_stack_overflowed(void);

#endif
