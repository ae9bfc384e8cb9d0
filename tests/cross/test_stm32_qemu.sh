#!/usr/bin/env bash
# test_stm32_qemu.sh: the STM32F4 port (ports/cortex-m/stm32f4/) without the hardware.
#   1. qemu-netduinoplus2 (QEMU's STM32F405 machine running the nucleo's clock, USART, LED
#      and per-trial code) through its USART, in f32 and fixed: the canonical small shape
#      (3 trials) and the host's DEFAULT shape (2 trials, the 128 KB memory budget of the
#      nucleo), each report cmp-equal to build/host/nope(-fixed) with the same flags; the
#      diagnostics carry the clock line (PLL not locked under QEMU, within the bound) and one
#      cycle line per trial. Fixed-point images hold no floating point.
#   2. `--seed random` on it ends at once with the no-entropy error (QEMU does not model the
#      F405 RNG: the bounded wait gives up), exit status 2, not a hang.
#   3. nucleo-f411re and stm32f4-discovery build in both modes with their default EXP: the
#      vector table says SP = top of the 128 KB SRAM and reset inside flash, and the images
#      hold no semihosting trap (BKPT 0xAB).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/cross/lib.sh
LOG_DIR=${BUILD:-build}/test-stm32
mkdir -p "$LOG_DIR"
CROSS=${CROSS:-arm-none-eabi-}
NUMS=${NUMS:-f32 fixed}
export NUMS

missing=()
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
command -v "${CROSS}gcc" >/dev/null || missing+=(gcc-arm-none-eabi)
if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "test-stm32: needs ${missing[*]}: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

fails=0
ok() { echo "ok    $*"; }
bad() { echo "FAIL  $*"; fails=$((fails + 1)); }
bmake() { make -s --no-print-directory "$@"; }

CANONICAL="--d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 3 --seed 9"
DEFAULT_SHAPE="--trials 2 --seed 5"

# twin_run NUM EXP TAG: build the twin with OUT=uart, run it, compare with the host.
twin_run() {
    local num=$1 exp=$2 tag=qemu-netduinoplus2-$1-$3 trials
    trials=$(sed -n 's/.*--trials \([0-9]*\).*/\1/p' <<<"$exp")
    if ! bmake BOARD=qemu-netduinoplus2 NUM="$num" OUT=uart EXP="$exp" board-build >"$LOG_DIR/$tag.build" 2>&1; then
        bad "$tag: build (log: $LOG_DIR/$tag.build)"
        return
    fi
    "$(host_bin "$num")" $exp >"$LOG_DIR/$tag.host" 2>/dev/null
    local start=$SECONDS rc=0
    bmake BOARD=qemu-netduinoplus2 NUM="$num" OUT=uart EXP="$exp" QEMU_TIMEOUT=60 board-run \
        >"$LOG_DIR/$tag.report" 2>"$LOG_DIR/$tag.diag" || rc=$?
    local secs=$((SECONDS - start)) elf
    elf=$(board_info qemu-netduinoplus2 "$num" elf)
    elf=${elf%/nope.elf}-uart/nope.elf
    if ((rc != 0)); then
        bad "$tag: exit status $rc after ${secs}s: $(tail -1 "$LOG_DIR/$tag.diag")"
    elif ! cmp -s "$LOG_DIR/$tag.host" "$LOG_DIR/$tag.report"; then
        bad "$tag: report differs from $(host_bin "$num") $exp (see $LOG_DIR/$tag.{host,report})"
    elif ! grep -q "^clock: qemu-netduinoplus2: the PLL did not lock within [0-9]* polls" "$LOG_DIR/$tag.diag"; then
        bad "$tag: no clock line saying the PLL did not lock (see $LOG_DIR/$tag.diag)"
    elif [[ $(grep -c "^cycles: trial [0-9]*/$trials: [0-9]* " "$LOG_DIR/$tag.diag") != "$trials" ]]; then
        bad "$tag: not one cycle line per trial ($trials) in $LOG_DIR/$tag.diag"
    elif [[ $num == fixed ]] && ! tests/cross/check_nofloat.sh "$elf" >"$LOG_DIR/$tag.nofloat" 2>&1; then
        bad "$tag: floating point in the fixed-point image ($LOG_DIR/$tag.nofloat)"
    else
        ok "$tag: report cmp-equal to the host's over USART1 ($(wc -l <"$LOG_DIR/$tag.report") lines, ${secs}s, $exp)"
    fi
}

for num in $NUMS; do
    if ! build_host "$num"; then
        bad "host program $num does not build (log: $LOG_DIR/host-$num.log)"
        continue
    fi
    twin_run "$num" "$CANONICAL" canonical
    twin_run "$num" "$DEFAULT_SHAPE" default
done

# --seed random: QEMU has no RNG model; the bounded wait must end in the clear refusal.
tag=qemu-netduinoplus2-seed-random
rc=0
bmake BOARD=qemu-netduinoplus2 NUM=f32 EXP="--seed random --trials 2" QEMU_TIMEOUT=20 board-run \
    >"$LOG_DIR/$tag.report" 2>"$LOG_DIR/$tag.diag" || rc=$?
if ((rc == 2)) && grep -q "no entropy source" "$LOG_DIR/$tag.diag"; then
    ok "$tag: refused with exit status 2 (no RNG under QEMU; the wait is bounded)"
else
    bad "$tag: exit status $rc, wanted 2 and the no-entropy message (see $LOG_DIR/$tag.diag)"
fi

# The real boards: build, vector table, no semihosting trap.
board_flash_bytes() { sed -n 's/^BOARD_FLASH_BYTES := //p' "boards/$1/board.mk"; }
for board in nucleo-f411re stm32f4-discovery; do
    for num in $NUMS; do
        tag=$board-$num
        if ! env -u EXP make -s --no-print-directory BOARD="$board" NUM="$num" board-build >"$LOG_DIR/$tag.build" 2>&1; then
            bad "$tag: build (log: $LOG_DIR/$tag.build)"
            continue
        fi
        elf=$(board_info "$board" "$num" elf)
        # Words 0 and 1 of the image: initial SP and reset vector.
        read -r sp reset < <("${CROSS}objdump" -s -j .text --start-address=0x08000000 --stop-address=0x08000008 "$elf" |
            awk '/^ 8000000/ { print $2, $3 }')
        le() { echo $((16#${1:6:2}${1:4:2}${1:2:2}${1:0:2})); }
        sp=$(le "$sp") reset=$(le "$reset")
        if ((sp != 0x20020000)); then
            bad "$tag: initial SP $(printf 0x%08x "$sp"), wanted 0x20020000 (top of the 128 KB SRAM)"
        elif ((!(reset & 1) || reset < 0x08000000 || reset >= 0x08000000 + $(board_flash_bytes "$board"))); then
            bad "$tag: reset vector $(printf 0x%08x "$reset") not a Thumb address inside flash"
        elif "${CROSS}objdump" -d "$elf" | grep -Eq $'\tbkpt(\t| +)0x00ab'; then
            bad "$tag: a semihosting BKPT 0xAB in a flashable image"
        else
            ok "$tag: builds ($("${CROSS}size" "$elf" | awk 'NR == 2 { printf "flash %d, RAM %d of 131072 static", $1 + $2, $2 + $3 }')), vector table in place, no semihosting"
        fi
    done
done

if ((fails)); then
    echo "test-stm32 FAILED: $fails check(s)"
    exit 1
fi
echo "test-stm32 passed"
