#!/usr/bin/env bash
# test_boards_trained.sh BOARD...: a trained model on the boards (make BOARD=... MODEL=FILE
# TEXT=FILE run). A micro:bit-shape model (d=32 heads=4 layers=2 ffn=128 seq=32, what the smallest
# board holds) is trained here for a few seconds by build/host/nope-train on a text every Debian
# machine has; then, for every BOARD x {f32, fixed}, the image with the model and a slice of the
# held-out text in flash must print the very bytes of the host program's report on the slice the
# build wrote (cmp). And the refusals, each one line and a non-zero exit:
#   - a model too large for the board's flash (a d=64 4-layer model on the micro:bit): the build
#     says so and exits 2, naming the sizes;
#   - a model with one byte changed: the board prints the parser's line, the host's very line;
#   - a text slice shorter than one window (TEXT_BYTES=20): the board's line is the host's;
#   - MODEL without TEXT, a missing MODEL, TEXT_BYTES=abc: make stops before building.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/cross/lib.sh
LOG_DIR=${BUILD:-build}/test-boards-trained
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
fails=0 n=0
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }
# The caller's EXP, MODEL or TEXT must not reach the boards' make.
board_make() { env -u EXP -u MODEL -u TEXT -u TEXT_BYTES -u MAKEFLAGS -u MAKEOVERRIDES -u MFLAGS \
    make -s --no-print-directory "$@"; }
exp="--trials 3 --seed 5"

text_src=/usr/share/common-licenses/GPL-3
[ -r "$text_src" ] || { echo "FAIL: $text_src missing (Debian's base-files has it)"; exit 1; }
for num in f32 fixed; do
    build_host "$num" || { echo "FAIL: host program, $num, does not build (log: $LOG_DIR/host-$num.log)"; exit 1; }
done
make -s --no-print-directory build/host/nope-train >"$LOG_DIR/train-build.log" 2>&1 ||
    { echo "FAIL: nope-train does not build (log: $LOG_DIR/train-build.log)"; exit 1; }
model=$LOG_DIR/microbit.nope heldout=$LOG_DIR/heldout.txt
if ! build/host/nope-train --text "$text_src" --out "$model" --held-out "$heldout" --d 32 --heads 4 --layers 2 \
    --ffn 128 --seq 32 --steps 40 --warmup 10 --eval-windows 64 >"$LOG_DIR/train.log" 2>&1; then
    echo "FAIL: nope-train: $(tail -1 "$LOG_DIR/train.log")"
    exit 1
fi

# Every board x mode: the board's report is the host's on the slice the build linked.
for num in f32 fixed; do
    host=$(host_bin "$num")
    for board in "$@"; do
        tag=$board-$num
        args=(BOARD="$board" NUM="$num" MODEL="$model" TEXT="$heldout" TEXT_BYTES=4096 EXP="$exp")
        if ! board_make -j"$(nproc)" "${args[@]}" board-build >"$LOG_DIR/$tag.build" 2>&1; then
            bad "$tag: build (log: $LOG_DIR/$tag.build): $(tail -1 "$LOG_DIR/$tag.build")"
            continue
        fi
        slice=$(board_make "${args[@]}" board-info | sed -n 's/^text_slice=//p')
        board_make "${args[@]}" run >"$LOG_DIR/$tag.report" 2>"$LOG_DIR/$tag.diag"
        rc=$?
        # shellcheck disable=SC2086 # exp is words
        "$host" $exp --model "$model" --text "$slice" >"$LOG_DIR/$tag.host" 2>/dev/null
        if ((rc != 0)); then bad "$tag: run exited $rc: $(tail -1 "$LOG_DIR/$tag.diag")"
        elif [ ! -s "$LOG_DIR/$tag.host" ] || ! grep -q '^# config model=' "$LOG_DIR/$tag.report"; then
            bad "$tag: no trained-model report (see $LOG_DIR/$tag.{host,report})"
        elif ! cmp -s "$LOG_DIR/$tag.host" "$LOG_DIR/$tag.report"; then
            bad "$tag: report differs from $host $exp --model $model --text $slice (see $LOG_DIR/$tag.{host,report})"
        else
            ok "$tag: report identical to the host's ($(wc -l <"$LOG_DIR/$tag.report") lines;" \
                "$(grep -o 'stack high-water mark: [0-9]* of [0-9]*' "$LOG_DIR/$tag.diag") bytes)"
        fi
    done
done

# A model larger than the micro:bit's 256 KB of flash: refused at link time in one line.
big=$LOG_DIR/big.nope
tools/nope-model random -o "$big" --d 64 --heads 4 --layers 4 --ffn 256 --vocab 256 --seq 64 --act gelu \
    --sigma 0.02 --seed 1 >/dev/null
rc=0
board_make BOARD=qemu-microbit NUM=fixed MODEL="$big" TEXT="$heldout" board-build >"$LOG_DIR/big.out" \
    2>"$LOG_DIR/big.err" || rc=$?
line=$(grep -v '^qemu-microbit-fixed:\|^make' "$LOG_DIR/big.err")
if ((rc != 0)) && [[ $(printf '%s\n' "$line" | grep -c .) == 1 && $line == *"do not fit in flash"*"bytes over"* ]]; then
    ok "a model over the micro:bit's flash is refused: $line"
else
    bad "a model over the micro:bit's flash: exit $rc, stderr: $(cat "$LOG_DIR/big.err")"
fi

# Refusals on the board itself: its one line must be the host program's, and the exit non-zero.
# refused_on_board NAME MODEL TEXT_BYTES
refused_on_board() {
    local name=$1 m=$2 bytes=$3 board=qemu-mps2-an386 rc=0
    local args=(BOARD="$board" NUM=f32 MODEL="$m" TEXT="$heldout" TEXT_BYTES="$bytes" EXP="$exp")
    board_make "${args[@]}" run >"$LOG_DIR/$name.report" 2>"$LOG_DIR/$name.diag" || rc=$?
    local slice
    slice=$(board_make "${args[@]}" board-info | sed -n 's/^text_slice=//p')
    # shellcheck disable=SC2086 # exp is words
    build/host/nope $exp --model "$m" --text "$slice" >/dev/null 2>"$LOG_DIR/$name.host"
    local want
    want=$(cat "$LOG_DIR/$name.host")
    if ((rc != 0)) && [ ! -s "$LOG_DIR/$name.report" ] && [[ $(wc -l <"$LOG_DIR/$name.host") == 1 ]] &&
        grep -qxF -- "$want" "$LOG_DIR/$name.diag"; then
        ok "$board refuses $name as the host does (exit $rc): $want"
    else
        bad "$board, $name: exit $rc, host said '$want', board said: $(grep '^nope' "$LOG_DIR/$name.diag")"
    fi
}
flipped=$LOG_DIR/flipped.nope
cp "$model" "$flipped"
printf '\x5a' | dd of="$flipped" bs=1 seek=1000 conv=notrunc status=none
refused_on_board "a model with one byte changed" "$flipped" 4096
refused_on_board "a text slice shorter than one window" "$model" 20

# Before any build: make says what is missing, one line, non-zero exit.
# make_refuses WHAT EXPECTED ARGS...
make_refuses() {
    local what=$1 want=$2 rc=0
    shift 2
    board_make BOARD=qemu-mps2-an386 "$@" board-build >/dev/null 2>"$LOG_DIR/make.err" || rc=$?
    if ((rc != 0)) && grep -q -- "$want" "$LOG_DIR/make.err"; then ok "make refuses $what: $(head -1 "$LOG_DIR/make.err")"
    else bad "make, $what: exit $rc: $(cat "$LOG_DIR/make.err")"; fi
}
make_refuses "MODEL without TEXT" "needs both" MODEL="$model"
make_refuses "a missing MODEL" "no such readable file" MODEL="$LOG_DIR/none.nope" TEXT="$heldout"
make_refuses "TEXT_BYTES=abc" "not a positive number" MODEL="$model" TEXT="$heldout" TEXT_BYTES=abc

if ((fails)); then
    echo "test-boards-trained: $((n - fails)) passed, $fails failed"
    exit 1
fi
echo "test-boards-trained: $n passed, 0 failed"
