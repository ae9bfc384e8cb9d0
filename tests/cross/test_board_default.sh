#!/usr/bin/env bash
# test_board_default.sh BOARD NUM: `make BOARD=<board> run` without EXP, as the README invites,
# with OUT=semihost and OUT=uart, must end (exit status 0) with the host program's report for
# the board's default EXP (BOARD_EXP), say in its banner that it used that default, and show
# progress while QEMU runs, not once it has exited: every diagnostic line (split at '\r' too,
# which ends a progress update) is timestamped as it arrives, and the first update must come
# well before the last.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/cross/lib.sh
board=$1 num=$2 tag=$1-$2
LOG_DIR=${BUILD:-build}/test-board-default
mkdir -p "$LOG_DIR"
fails=0 n=0
ok() { echo "ok   $tag: $*"; n=$((n + 1)); }
bad() { echo "FAIL: $tag: $*"; n=$((n + 1)); fails=$((fails + 1)); }
# No EXP may reach the board's make, not even from a make that runs this script.
board_make() { env -u EXP -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS make -s --no-print-directory BOARD="$board" NUM="$num" "$@"; }

build_host "$num" || { echo "FAIL: host program, $num, does not build (log: $LOG_DIR/host-$num.log)"; exit 1; }
exp=$(board_info "$board" "$num" exp)
stamp() { stdbuf -oL tr '\r' '\n' | while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
host_report=$LOG_DIR/$tag.host
"$(host_bin "$num")" $exp >"$host_report" 2>/dev/null

# Both ways out of the board: semihosting (two streams), and the UART (one, split by qemu-run).
for out in semihost uart; do
    tag=$board-$num-$out
    if ! board_make OUT=$out board-build >"$LOG_DIR/$tag.build" 2>&1; then
        bad "build (log: $LOG_DIR/$tag.build)"
        continue
    fi
    start=$EPOCHREALTIME
    board_make OUT=$out run >"$LOG_DIR/$tag.report" 2> >(stamp >"$LOG_DIR/$tag.diag")
    rc=$?
    wait $! # the stamps are complete
    secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

    if ((rc == 0)); then ok "ran with no EXP in ${secs}s"
    else bad "exit status $rc after ${secs}s: $(tail -1 "$LOG_DIR/$tag.diag" | cut -d' ' -f2-)"; fi
    if [[ -n ${exp// /} ]] && cmp -s "$host_report" "$LOG_DIR/$tag.report"; then
        ok "report identical to the host's for the default EXP=\"$exp\""
    else
        bad "report differs from the host's for the default EXP=\"$exp\" (see $LOG_DIR/$tag.report)"
    fi
    if grep -qF "EXP=\"$exp\" (no EXP given" "$LOG_DIR/$tag.diag"; then ok "the banner names the default"
    else bad "no banner naming the default EXP in $LOG_DIR/$tag.diag"; fi

    # Progress updates are at least a second apart in the guest's time, which QEMU keeps close
    # to real time: shown live, the first comes well before the last; held back, all at once.
    read -r first last count < <(awk '/ nope: trial [0-9]+\/[0-9]+, / { if (!n++) f = $1; l = $1 }
                                       END { printf "%s %s %d\n", n ? f : 0, n ? l : 0, n }' "$LOG_DIR/$tag.diag")
    gap=$(awk -v a="$first" -v b="$last" 'BEGIN { printf "%.2f", b - a }')
    if ((count < 2)); then
        bad "$count progress updates: the run was too short to show any before its end"
    elif awk -v g="$gap" 'BEGIN { exit !(g >= 0.5) }'; then
        ok "$count progress updates shown as they came: the first ${gap}s before the last"
    else
        bad "$count progress updates all shown within ${gap}s of each other: held back until QEMU exited"
    fi
done

echo "board-default: $((n - fails)) passed, $fails failed"
((fails == 0))
