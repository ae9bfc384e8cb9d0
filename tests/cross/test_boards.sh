#!/usr/bin/env bash
# test_boards.sh BOARD...: for every board x {f32, fixed}, build the image with the board's
# short test configuration (test_exp in boards/<b>/board.mk), run it under QEMU, and cmp its
# report with the host program's report for the same flags. Fixed-point images must also
# pass check_nofloat.sh. A mode whose host program does not build is a failure of every board in
# it; every failure is listed at the end.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/cross/lib.sh
LOG_DIR=${BUILD:-build}/test-boards
mkdir -p "$LOG_DIR"
failed=()

for num in ${NUMS:?run me from make, which sets NUMS}; do
    if ! build_host "$num"; then
        echo "FAIL  host program, $num: it does not build, so no board can be checked in $num (log: $LOG_DIR/host-$num.log)"
        failed+=("host-$num")
        continue
    fi
    host=$(host_bin "$num")
    for board in "$@"; do
        tag=$board-$num
        exp=$(board_info "$board" "$num" test_exp)
        elf=$(board_info "$board" "$num" elf)
        if ! make -s --no-print-directory BOARD="$board" NUM="$num" EXP="$exp" board-build >"$LOG_DIR/$tag.build" 2>&1; then
            echo "FAIL  $tag: build (log: $LOG_DIR/$tag.build)"
            tail -3 "$LOG_DIR/$tag.build" | sed 's/^/      /'
            failed+=("$tag")
            continue
        fi
        "$host" $exp >"$LOG_DIR/$tag.host" 2>/dev/null
        start=$SECONDS
        make -s --no-print-directory BOARD="$board" NUM="$num" EXP="$exp" board-run \
            >"$LOG_DIR/$tag.report" 2>"$LOG_DIR/$tag.diag"
        rc=$?
        secs=$((SECONDS - start))
        if ((rc != 0)); then
            echo "FAIL  $tag: run exited $rc after ${secs}s: $(tail -1 "$LOG_DIR/$tag.diag")"
            failed+=("$tag")
        elif ! cmp "$LOG_DIR/$tag.host" "$LOG_DIR/$tag.report"; then
            echo "FAIL  $tag: report differs from $host $exp (see $LOG_DIR/$tag.{host,report})"
            failed+=("$tag")
        elif [[ $num == fixed ]] && ! tests/cross/check_nofloat.sh "$elf"; then
            echo "FAIL  $tag: floating point in a fixed-point image"
            failed+=("$tag")
        else
            echo "ok    $tag: report identical to the host's ($(wc -l <"$LOG_DIR/$tag.report") lines, ${secs}s, $exp)"
        fi
    done
done

if ((${#failed[@]})); then
    echo "test-boards FAILED: ${failed[*]}"
    exit 1
fi
echo "test-boards passed"
