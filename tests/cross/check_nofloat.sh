#!/usr/bin/env bash
# check_nofloat.sh image.elf: a fixed-point image must contain no floating point at all:
# no libgcc soft-float helpers (__aeabi_f*, __aeabi_d*, __aeabi_*2f/*2d) and no FPU
# instruction (every Thumb mnemonic that starts with "v" is VFP or SIMD).
set -uo pipefail
elf=$1
CROSS=${CROSS:-arm-none-eabi-}
bad=0
syms=$("${CROSS}nm" "$elf" | awk '{print $NF}' | grep -E '^__aeabi_(f|d)|^__aeabi_[a-z0-9]*2(f|d)$|^__(add|sub|mul|div)(s|d)f3$' | sort -u)
if [[ -n $syms ]]; then
    echo "check_nofloat: $elf links soft-float helpers:" $syms >&2
    bad=1
fi
insns=$("${CROSS}objdump" -d "$elf" | grep -E '^ +[0-9a-f]+:	[0-9a-f ]+	v[a-z]' | head -5)
if [[ -n $insns ]]; then
    echo "check_nofloat: $elf contains FPU instructions, e.g.:" >&2
    echo "$insns" >&2
    bad=1
fi
exit $bad
