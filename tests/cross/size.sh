#!/usr/bin/env bash
# size.sh BOARD...: flash and RAM of every board image (arm-none-eabi-size), and the stack it
# really used: each image is run once under QEMU with the board's own configuration (exp in
# board.mk) cut to 2 trials, and reports the high-water mark of the stack that reset painted.
# Stack painting measures the deepest path actually taken, which -fstack-usage (also written,
# build/<board>-<num>/obj/**/*.su) cannot: it does not add up calls through pointers.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/cross/lib.sh
LOG_DIR=${BUILD:-build}/size
mkdir -p "$LOG_DIR"
CROSS=${CROSS:-arm-none-eabi-}
nums=${NUMS:?run me from make, which sets NUMS}
printf '%-18s %-5s %9s %9s %9s %11s  %s\n' board num flash ram-static ram-total stack-used 'stack room'
for num in $nums; do
    for board in "$@"; do
        tag=$board-$num
        exp="$(board_info "$board" "$num" exp) --trials 2"
        elf=$(board_info "$board" "$num" elf)
        if ! make -s --no-print-directory BOARD="$board" NUM="$num" EXP="$exp" board-build >"$LOG_DIR/$tag.build" 2>&1; then
            printf '%-18s %-5s %s\n' "$board" "$num" "does not build: $(grep -m1 -E 'error|RAM' "$LOG_DIR/$tag.build")"
            continue
        fi
        read -r text data bss _ < <("${CROSS}size" "$elf" | tail -1)
        ram_total=$(("$("${CROSS}nm" "$elf" | awk '$3 == "__ram_end" {print "0x" $1}')" - \
                     "$("${CROSS}nm" "$elf" | awk '$3 == "__ram_start" {print "0x" $1}')"))
        make -s --no-print-directory BOARD="$board" NUM="$num" EXP="$exp" board-run \
            >/dev/null 2>"$LOG_DIR/$tag.diag"
        stack=$(sed -n 's/.*stack high-water mark: \([0-9]*\) of \([0-9]*\) bytes.*/\1 \2/p' "$LOG_DIR/$tag.diag" | tail -1)
        printf '%-18s %-5s %9d %9d %9d %11s  %s\n' "$board" "$num" $((text + data)) $((data + bss)) \
            "$ram_total" "${stack%% *}" "${stack#* } bytes"
    done
done
