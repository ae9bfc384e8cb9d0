/* Reset, vector table and fault reporting for every Cortex-M board (ARMv6-M, ARMv7-M,
 * ARMv8-M main, secure state). The initial stack pointer is word 0 of the table, placed by
 * sections.ld; this file supplies the handlers from word 1 on.
 *
 * Reset order matters: the FPU is switched on before any code that might use it, then .data
 * is copied and .bss zeroed, the stack below us is painted (for the high-water mark reported
 * at exit), the board's clocks and pins are set up (cm_board_init), the output and SysTick are
 * started, and main() runs. */
#include "cm.h"
#include "port.h"

int main(void);

typedef void (*cm_handler)(void);

void cm_reset_handler(void);
void cm_fault_entry(void);
void cm_fault_report(const uint32_t *frame, uint32_t exc_return, uint32_t ipsr);

#define CM_STACK_PAINT 0xA5C3A5C3u
/* Bytes below the live stack pointer left unpainted at reset: covers cm_reset_handler's frame. */
#define CM_STACK_PAINT_MARGIN 64u

/* Vector table from word 1: 15 system exceptions, then 32 external interrupts. Anything the
 * program does not expect lands in the fault report, which names the exception number:
 * nothing hangs silently. */
/* (One vector a line, numbered as in the Architecture Reference Manual.) */
// clang-format off
__attribute__((section(".vectors"), used)) static const cm_handler cm_vectors[15 + 32] = {
    [0] = cm_reset_handler,   /* 1 Reset */
    [1] = cm_fault_entry,     /* 2 NMI */
    [2] = cm_fault_entry,     /* 3 HardFault */
    [3] = cm_fault_entry,     /* 4 MemManage */
    [4] = cm_fault_entry,     /* 5 BusFault */
    [5] = cm_fault_entry,     /* 6 UsageFault */
    [6] = cm_fault_entry,     /* 7 SecureFault (ARMv8-M) */
    [7 ... 9] = cm_fault_entry,
    [10] = cm_fault_entry,    /* 11 SVCall */
    [11] = cm_fault_entry,    /* 12 DebugMonitor */
    [12] = cm_fault_entry,
    [13] = cm_fault_entry,    /* 14 PendSV */
    [14] = cm_systick_handler, /* 15 SysTick */
    [15 ... 46] = cm_fault_entry,
};
// clang-format on

static void stack_paint(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    volatile uint32_t *p = __stack_bottom;
    while ((uintptr_t)p < sp - CM_STACK_PAINT_MARGIN) {
        *p++ = CM_STACK_PAINT;
    }
}

uint32_t cm_stack_used(void)
{
    const volatile uint32_t *p = __stack_bottom;
    while (p < __stack_top && *p == CM_STACK_PAINT) {
        p++;
    }
    return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

/* The lowest painted word is the guard: if it changed, the stack ran into .bss. */
bool cm_stack_overflowed(void)
{
    return *(const volatile uint32_t *)__stack_bottom != CM_STACK_PAINT;
}

/* Boards without clock or pin setup (the QEMU MPS2 images, the micro:bit) keep this. */
__attribute__((weak)) void cm_board_init(void)
{
}

void cm_reset_handler(void)
{
#if defined(__ARM_FP)
    /* Full access to CP10/CP11 before the first floating-point instruction. */
    CM_SCB_CPACR |= CM_CPACR_CP10_CP11_FULL;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
#if CM_HAS_FAULT_REGS
    /* QEMU boots with the right VTOR; a real part's boot ROM or bootloader may not. */
    extern const uint32_t __vectors_start[];
    CM_SCB_VTOR = (uint32_t)(uintptr_t)__vectors_start;
#endif
    /* volatile pointers keep GCC from turning these loops into memcpy/memset calls. */
    volatile uint32_t *dst = __data_start;
    const volatile uint32_t *src = __data_load;
    while (dst < __data_end) {
        *dst++ = *src++;
    }
    for (dst = __bss_start; dst < __bss_end; dst++) {
        *dst = 0;
    }
    stack_paint();
    cm_board_init();
    cm_output_init();
    cm_ticks_init();
    int status = main();
    port_exit(status);
}

/* Common entry of every fault and unexpected exception: find the stacked frame (MSP or PSP,
 * from bit 2 of EXC_RETURN in lr) and hand it to C. Thumb-1 only, so it also runs on an M0. */
__attribute__((naked)) void cm_fault_entry(void)
{
    __asm__ volatile("movs r0, #4\n\t"
                     "mov r1, lr\n\t"
                     "tst r0, r1\n\t"
                     "beq 1f\n\t"
                     "mrs r0, psp\n\t"
                     "b 2f\n"
                     "1:\n\t"
                     "mrs r0, msp\n"
                     "2:\n\t"
                     "mrs r2, ipsr\n\t"
                     "ldr r3, =cm_fault_report\n\t"
                     "bx r3\n\t"
                     ".ltorg");
}

static const char *exception_name(uint32_t n)
{
    switch (n) {
    case 2: return "NMI";
    case 3: return "HardFault";
    case 4: return "MemManage";
    case 5: return "BusFault";
    case 6: return "UsageFault";
    case 7: return "SecureFault";
    case 11: return "SVCall";
    case 12: return "DebugMonitor";
    case 14: return "PendSV";
    default: return n >= 16 ? "unexpected interrupt" : "reserved exception";
    }
}

/* Print the frame the core stacked (r0-r3, r12, lr, pc, xpsr) and the fault status registers
 * the core has, then leave with CM_STATUS_FAULT. Never returns, never hangs. */
__attribute__((used, noreturn)) void cm_fault_report(const uint32_t *frame, uint32_t exc_return, uint32_t ipsr)
{
    static const char *const names[8] = {"r0", "r1", "r2", "r3", "r12", "lr", "pc", "xpsr"};
    uint32_t n = ipsr & 0x1FFu;
    cm_diag_str("\n*** FAULT: ");
    cm_diag_str(exception_name(n));
    cm_diag_str(" (exception ");
    cm_diag_dec(n);
    cm_diag_str(")\n");
    if ((uintptr_t)frame >= (uintptr_t)__ram_start && (uintptr_t)(frame + 8) <= (uintptr_t)__ram_end) {
        for (unsigned i = 0; i < 8; i++) {
            cm_diag_hex(names[i], frame[i]);
        }
    } else {
        cm_diag_hex("stacked frame outside RAM (stack overflow?) sp", (uint32_t)(uintptr_t)frame);
    }
    cm_diag_hex("exc_return", exc_return);
#if CM_HAS_FAULT_REGS
    uint32_t cfsr = CM_SCB_CFSR;
    cm_diag_hex("CFSR", cfsr);
    cm_diag_hex("HFSR", CM_SCB_HFSR);
    if (cfsr & 0x80u) {
        cm_diag_hex("MMFAR", CM_SCB_MMFAR);
    }
    if (cfsr & 0x8000u) {
        cm_diag_hex("BFAR", CM_SCB_BFAR);
    }
#endif
    port_exit(CM_STATUS_FAULT);
}
