#!/usr/bin/env bash
# test_board_shards.sh: one run split across two different boards (issue #12): shard 1/2 on the
# micro:bit (Cortex-M0, soft float) and shard 2/2 on the MPS2 AN386 (Cortex-M4F), each under
# QEMU, their partials merged by the host program: the report must be the host's single run, byte
# for byte, in each numeric mode.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/cross/lib.sh
LOG_DIR=${BUILD:-build}/test-board-shards
mkdir -p "$LOG_DIR"
exp="--d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 4 --seed 11"
boards=(qemu-microbit qemu-mps2-an386)
fails=0
for num in ${NUMS:?run me from make, which sets NUMS}; do
    if ! build_host "$num"; then
        echo "FAIL  host program, $num: it does not build (log: $LOG_DIR/host-$num.log)"
        fails=$((fails + 1))
        continue
    fi
    host=$(host_bin "$num")
    "$host" $exp >"$LOG_DIR/$num.host" 2>/dev/null
    parts=()
    for k in 1 2; do
        board=${boards[$((k - 1))]}
        part="$LOG_DIR/$num-$k-of-2-$board.part"
        start=$SECONDS
        if ! make -s --no-print-directory BOARD="$board" NUM="$num" EXP="$exp --shard $k/2" board-build \
            >"$LOG_DIR/$num-$board.build" 2>&1 ||
            ! make -s --no-print-directory BOARD="$board" NUM="$num" EXP="$exp --shard $k/2" board-run \
                >"$part" 2>"$LOG_DIR/$num-$board.diag"; then
            echo "FAIL  $num: shard $k/2 on $board did not run (logs: $LOG_DIR/$num-$board.{build,diag})"
            fails=$((fails + 1))
            continue 2
        fi
        echo "      $num: shard $k/2 on $board: $(grep '^# trials' "$part"), $((SECONDS - start))s"
        parts+=("$part")
    done
    if "$host" merge "${parts[@]}" >"$LOG_DIR/$num.merged" 2>"$LOG_DIR/$num.merge.err" &&
        cmp "$LOG_DIR/$num.host" "$LOG_DIR/$num.merged"; then
        echo "ok    $num: ${boards[0]} + ${boards[1]} shards merged = the host's run ($(wc -l <"$LOG_DIR/$num.merged") lines, $(tail -1 "$LOG_DIR/$num.merged"))"
    else
        echo "FAIL  $num: the merge of the board shards differs from $host $exp: $(cat "$LOG_DIR/$num.merge.err")"
        fails=$((fails + 1))
    fi
done
((fails == 0))
