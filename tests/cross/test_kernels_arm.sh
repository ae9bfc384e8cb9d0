#!/usr/bin/env bash
# test_kernels_arm.sh BOARD...: the Cortex-M matmul tiles (core/src/matmul_arm.h), float32 attention
# loops (core/src/attend_arm.h), fixed-point rounding, add, score and exponential, and runs of
# Gaussian draws against the plain C on every board x {f32, fixed} under QEMU: tests/cross/kernel_test.c, built in place of
# the program (KERNEL_TEST=1), feeds them the corners no report reaches (inputs at +-2^31, sums
# the +-2^62 clamp cuts, odd shapes, float specials) and must find every result the same bits.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/cross/lib.sh
LOG_DIR=${BUILD:-build}/test-kernels-arm
mkdir -p "$LOG_DIR"
failed=()
for num in ${NUMS:?run me from make, which sets NUMS}; do
    for board in "$@"; do
        tag=$board-$num
        if ! make -s --no-print-directory BOARD="$board" NUM="$num" KERNEL_TEST=1 EXP= board-build \
            >"$LOG_DIR/$tag.build" 2>&1; then
            echo "FAIL  $tag: build (log: $LOG_DIR/$tag.build)"
            failed+=("$tag")
            continue
        fi
        machine=$(board_info "$board" "$num" machine)
        elf=$(make -s --no-print-directory BOARD="$board" NUM="$num" KERNEL_TEST=1 board-info | sed -n 's/^elf=//p')
        if tools/qemu-run --machine "$machine" --timeout 300 "$elf" >"$LOG_DIR/$tag.out" 2>"$LOG_DIR/$tag.diag" &&
            grep -q ': 0 wrong results$' "$LOG_DIR/$tag.out"; then
            echo "ok    $tag: $(head -1 "$LOG_DIR/$tag.out")"
        else
            echo "FAIL  $tag: $(head -1 "$LOG_DIR/$tag.out") $(tail -1 "$LOG_DIR/$tag.diag")"
            failed+=("$tag")
        fi
    done
done
if ((${#failed[@]})); then
    echo "test-kernels-arm: ${#failed[@]} failed: ${failed[*]}"
    exit 1
fi
echo "test-kernels-arm passed"
