/* ARM semihosting (the "Semihosting for AArch32 and AArch64" spec, v2): on M-profile a
 * BKPT 0xAB with the operation in r0 and its argument (a value or a pointer to a parameter
 * block) in r1; the debugger or QEMU (-semihosting-config enable=on,target=native) answers in
 * r0. On 32-bit ARM, r1 of SYS_EXIT is the reason code itself, not a pointer. */
#include "cm.h"

#define SYS_OPEN 0x01u
#define SYS_WRITE0 0x04u
#define SYS_WRITE 0x05u
#define SYS_EXIT 0x18u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u
#define SH_MODE_W 4u /* fopen "w": ":tt" opened this way is the host's stdout */
#define SH_MODE_A 8u /* fopen "a": ":tt" opened this way is the host's stderr */

static uint32_t semihost_call(uint32_t op, uintptr_t arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register uintptr_t r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

int32_t cm_semihost_open_tt(bool for_append)
{
    static const char tt[] = ":tt";
    uint32_t block[3] = {(uint32_t)(uintptr_t)tt, for_append ? SH_MODE_A : SH_MODE_W, 3u};
    return (int32_t)semihost_call(SYS_OPEN, (uintptr_t)block);
}

/* Returns the number of bytes NOT written (0 on success), as the spec does. */
int32_t cm_semihost_write(int32_t handle, const char *bytes, size_t n)
{
    uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)bytes, (uint32_t)n};
    return (int32_t)semihost_call(SYS_WRITE, (uintptr_t)block);
}

void cm_semihost_write0(const char *z)
{
    (void)semihost_call(SYS_WRITE0, (uintptr_t)z);
}

/* Status 0: SYS_EXIT with ADP_Stopped_ApplicationExit (QEMU exits 0). Other statuses:
 * SYS_EXIT_EXTENDED with {ApplicationExit, status}, which QEMU (>= 4.0) turns into its own
 * exit status; a host without the extension falls through to the plain SYS_EXIT with
 * RunTimeErrorUnknown, which QEMU reports as exit status 1. */
_Noreturn void cm_semihost_exit(int status)
{
    if (status == 0) {
        (void)semihost_call(SYS_EXIT, ADP_STOPPED_APPLICATION_EXIT);
    } else {
        uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
        (void)semihost_call(SYS_EXIT_EXTENDED, (uintptr_t)block);
        (void)semihost_call(SYS_EXIT, ADP_STOPPED_RUNTIME_ERROR_UNKNOWN);
    }
    for (;;) {
        __asm__ volatile("wfi");
    }
}
