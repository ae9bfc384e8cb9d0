#!/usr/bin/env bash
# size.sh BOARD...: flash and static RAM of every board image against the chip's budget, and
# the stack it really used. The boards named, plus every flashable board (boards/*/board.mk
# with BOARD_FLASHABLE := 1), each in every mode (NUMS).
#   budget: BOARD_FLASH_BYTES / BOARD_RAM_BYTES of board.mk (the chip's real flash and RAM);
#           a QEMU board without them: its memory map (the MEMORY regions in nope.map).
#   "OVER" marks an image that does not fit.
#   stack:  each image that QEMU can run is run once with the board's own configuration (exp
#           in board.mk) cut to 2 trials, and reports the high-water mark of the stack that
#           reset painted. Stack painting measures the deepest path actually taken, which
#           -fstack-usage (also written, build/<board>-<num>/obj/**/*.su) cannot: it does not
#           add up calls through pointers. A real board with no QEMU machine is not measured.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
source tests/cross/lib.sh
LOG_DIR=${BUILD:-build}/size
mkdir -p "$LOG_DIR"
CROSS=${CROSS:-arm-none-eabi-}
nums=${NUMS:?run me from make, which sets NUMS}

boards=("$@")
for mk in boards/*/board.mk; do
    b=${mk#boards/}
    b=${b%/board.mk}
    if grep -qE '^BOARD_FLASHABLE *:?= *1 *($|#)' "$mk" && [[ " ${boards[*]} " != *" $b "* ]]; then
        boards+=("$b")
    fi
done

# map_bytes MAP REGEX: the summed lengths of the MEMORY regions whose names match.
map_bytes() {
    local n=0 len
    for len in $(sed -n '/^Memory Configuration/,/^Linker script/p' "$1" | awk -v re="$2" '$1 ~ re {print $3}'); do
        n=$((n + len))
    done
    echo "$n"
}

# fits USED BUDGET: the used figure, marked when over.
fits() {
    if [ "$1" -gt "$2" ]; then echo "$1 OVER"; else echo "$1"; fi
}

printf '%-20s %-5s %13s %9s %13s %9s %11s  %s\n' board num flash flash-max ram-static ram-max stack-used 'stack room'
for num in $nums; do
    for board in "${boards[@]}"; do
        info=$(make -s --no-print-directory BOARD="$board" NUM="$num" board-info)
        get() { sed -n "s/^$1=//p" <<<"$info"; }
        exp="$(get exp) --trials 2"
        elf=$(get elf)
        tag=$board-$num
        if ! make -s --no-print-directory BOARD="$board" NUM="$num" EXP="$exp" board-build >"$LOG_DIR/$tag.build" 2>&1; then
            printf '%-20s %-5s %s\n' "$board" "$num" "does not build: $(grep -m1 -E 'error|RAM|region' "$LOG_DIR/$tag.build")"
            continue
        fi
        read -r text data bss _ < <("${CROSS}size" "$elf" | tail -1)
        map=${elf%.elf}.map
        flash_max=$(get flash_bytes)
        ram_max=$(get ram_bytes)
        [ -n "$flash_max" ] || flash_max=$(map_bytes "$map" '^(FLASH|BOOT2)$')
        [ -n "$ram_max" ] || ram_max=$(map_bytes "$map" '^RAM$')
        flash_used=$(fits $((text + data)) "$flash_max")
        ram_used=$(fits $((data + bss)) "$ram_max")
        if [ -z "$(get machine)" ]; then
            printf '%-20s %-5s %13s %9d %13s %9d  %s\n' "$board" "$num" "$flash_used" "$flash_max" \
                "$ram_used" "$ram_max" 'stack not measured (no QEMU machine)'
            continue
        fi
        make -s --no-print-directory BOARD="$board" NUM="$num" EXP="$exp" board-run \
            >/dev/null 2>"$LOG_DIR/$tag.diag"
        stack=$(sed -n 's/.*stack high-water mark: \([0-9]*\) of \([0-9]*\) bytes.*/\1 \2/p' "$LOG_DIR/$tag.diag" | tail -1)
        printf '%-20s %-5s %13s %9d %13s %9d %11s  %s\n' "$board" "$num" "$flash_used" "$flash_max" \
            "$ram_used" "$ram_max" "${stack%% *}" "${stack#* } bytes"
    done
done
