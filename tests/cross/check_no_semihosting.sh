#!/usr/bin/env bash
# check_no_semihosting.sh ELF...: fail if any executable code in the images traps to a
# semihosting host. On a real board nobody answers that trap: without a debugger a BKPT is a
# HardFault (or a lock-up), so a flashable image must contain none. Looks at the disassembly of
# every code section (data in literal pools is not code, so it cannot raise a false alarm):
#   bkpt 0x00ab          Thumb semihosting (0xBEAB), what ports/cortex-m/semihost.c uses
#   svc 0xab / 0x123456  the older Thumb / ARM-state semihosting calls
# Exit 0: none in any image; 1: found (each hit on stderr with its address and function);
# 2: an image cannot be read or disassembled.
set -euo pipefail
CROSS=${CROSS:-arm-none-eabi-}
[ $# -ge 1 ] || { echo "usage: $0 ELF..." >&2; exit 2; }
status=0
for elf in "$@"; do
    if ! dis=$("${CROSS}objdump" -d --no-show-raw-insn "$elf" 2>&1); then
        echo "check_no_semihosting: $elf: cannot disassemble: $(head -1 <<<"$dis")" >&2
        exit 2
    fi
    insns=$(grep -cP '^ *[0-9a-f]+:\t' <<<"$dis" || true)
    if [ "$insns" -eq 0 ]; then
        echo "check_no_semihosting: $elf: no code found to scan" >&2
        exit 2
    fi
    # "<function>:" lines name where each hit is.
    hits=$(awk '/^[0-9a-f]+ <.*>:$/ {fn = substr($2, 1, length($2) - 1)}
                /^ *[0-9a-f]+:\t/ && ($2 == "bkpt" && $3 ~ /^0x0*ab$/ || $2 == "svc" && $3 ~ /^0x0*(ab|123456)$/) \
                    {print $1, $2, $3, "in", fn}' <<<"$dis")
    if [ -n "$hits" ]; then
        while read -r line; do
            echo "check_no_semihosting: $elf: semihosting call at $line" >&2
        done <<<"$hits"
        status=1
    else
        echo "check_no_semihosting: $elf: no semihosting call in $insns instructions"
    fi
done
exit $status
