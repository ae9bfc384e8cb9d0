#!/usr/bin/env bash
# test_microbit_flashable.sh: the flashable micro:bit images (issue #13).
#   microbit (v1): the very image that is flashed (UART, no semihosting) runs under QEMU's
#       "microbit" machine, read from its UART only (tools/qemu-run --uart --until-exit), in both
#       numeric modes, with the canonical configuration and 2 trials: its report must be cmp-equal
#       to the host program's, and its diagnostics must carry a cycle count for each trial.
#   microbit-v2: builds in both modes with the host's default configuration within the chip's
#       128 KB (QEMU has no nRF52 machine).
#   Both: static checks of nope.elf, nope.bin and nope.hex against the chip: the vector table at
#       0 (initial SP inside RAM, reset vector odd, inside flash, = the ELF entry point =
#       cm_reset_handler), every allocated section inside flash or RAM, the .hex holding exactly
#       the .bin's bytes, and no BKPT instruction (a semihosting call faults without a debugger).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/cross/lib.sh
LOG_DIR=${BUILD:-build}/test-microbit-flashable
mkdir -p "$LOG_DIR"
CROSS=${CROSS:-arm-none-eabi-}
EXP="--d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --trials 2 --seed 9"

need=()
command -v qemu-system-arm >/dev/null || need+=(qemu-system-arm)
command -v "${CROSS}gcc" >/dev/null || need+=(gcc-arm-none-eabi)
if ((${#need[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
        echo "test-microbit-flashable needs: sudo apt-get install ${need[*]}" >&2
        exit 1
    fi
fi

failed=()
fail() { # tag message
    echo "FAIL  $1: $2"
    failed+=("$1")
}

# static_checks TAG ELF RAM_BYTES FLASH_BYTES: the image against the chip's memory map
# (flash at 0, RAM at 0x20000000 on both nRF51 and nRF52).
static_checks() {
    local tag=$1 elf=$2 ram=$3 flash=$4 dir
    dir=$(dirname "$elf")
    local ram_lo=$((0x20000000)) ram_hi=$((0x20000000 + ram))
    local sp reset entry handler
    for f in nope.bin nope.hex; do
        [[ -s $dir/$f ]] || { fail "$tag" "no $dir/$f"; return; }
    done
    read -r sp reset < <(od -An -tu4 -N8 "$dir/nope.bin")
    entry=$(("$("${CROSS}readelf" -h "$elf" | awk '/Entry point address/ {print $4}')"))
    handler=$(("0x$("${CROSS}nm" "$elf" | awk '$3 == "cm_reset_handler" {print $1}')"))
    ((sp > ram_lo && sp <= ram_hi)) || fail "$tag" "initial SP $(printf %#x "$sp") not inside RAM"
    ((reset & 1)) || fail "$tag" "reset vector $(printf %#x "$reset") is not a Thumb address (odd)"
    ((reset < flash)) || fail "$tag" "reset vector $(printf %#x "$reset") not inside flash"
    (((reset | 1) == (entry | 1) && (reset | 1) == (handler | 1))) ||
        fail "$tag" "reset vector $(printf %#x "$reset"), ELF entry $(printf %#x "$entry") and cm_reset_handler $(printf %#x "$handler") differ"
    # Every allocated section with bytes: its run address inside flash or RAM, its load address
    # in flash.
    local bad="" name size vma lma flags
    while read -r name size vma lma flags; do
        [[ $flags == *ALLOC* ]] || continue
        size=$((0x$size)) vma=$((0x$vma)) lma=$((0x$lma))
        ((size > 0)) || continue # an empty .data keeps its RAM address as load address: no bytes
        local runs_inside=0 loads_inside=1
        if ((vma + size <= flash || (vma >= ram_lo && vma + size <= ram_hi))); then runs_inside=1; fi
        if [[ $flags == *LOAD* ]] && ((lma + size > flash)); then loads_inside=0; fi
        ((runs_inside && loads_inside)) || bad+=" $name"
    done < <("${CROSS}objdump" -h "$elf" | awk '/^ *[0-9]+ / { line = $2 " " $3 " " $4 " " $5; getline; print line " " $0 }' | tr -d ,)
    [[ -z $bad ]] || fail "$tag" "sections outside the chip's flash and RAM: $bad"
    # The .hex and the .bin hold the same bytes.
    "${CROSS}objcopy" -I ihex -O binary "$dir/nope.hex" "$LOG_DIR/$tag.hex.bin"
    cmp -s "$LOG_DIR/$tag.hex.bin" "$dir/nope.bin" || fail "$tag" "nope.hex does not hold nope.bin's bytes"
    if "${CROSS}objdump" -d "$elf" | grep -qw bkpt; then
        fail "$tag" "a BKPT instruction (semihosting) in a flashable image"
    fi
}

for num in f32 fixed; do
    if ! build_host "$num"; then
        fail "host-$num" "the host program does not build (log: $LOG_DIR/host-$num.log)"
        continue
    fi
    host=$(host_bin "$num")

    tag=microbit-$num
    elf=$(board_info microbit "$num" elf)
    if ! make -s --no-print-directory BOARD=microbit NUM="$num" EXP="$EXP" board-build >"$LOG_DIR/$tag.build" 2>&1; then
        fail "$tag" "build (log: $LOG_DIR/$tag.build)"
    else
        static_checks "$tag" "$elf" 16384 262144
        "$host" $EXP >"$LOG_DIR/$tag.host" 2>/dev/null
        start=$SECONDS
        rc=0
        tools/qemu-run --machine microbit --uart --until-exit --timeout 60 "$elf" \
            >"$LOG_DIR/$tag.report" 2>"$LOG_DIR/$tag.diag" || rc=$?
        secs=$((SECONDS - start))
        if ((rc != 0)); then
            fail "$tag" "QEMU run exited $rc after ${secs}s: $(tail -1 "$LOG_DIR/$tag.diag")"
        elif ! cmp "$LOG_DIR/$tag.host" "$LOG_DIR/$tag.report"; then
            fail "$tag" "report differs from $host $EXP (see $LOG_DIR/$tag.{host,report})"
        elif [[ $(grep -c '^cycles: trial [12]/2: [0-9]* ' "$LOG_DIR/$tag.diag") != 2 ]]; then
            fail "$tag" "no cycle count for each of the 2 trials in $LOG_DIR/$tag.diag"
        else
            echo "ok    $tag: the flashable image's UART report under QEMU is identical to the host's ($(wc -l <"$LOG_DIR/$tag.report") lines, ${secs}s); $(grep -m1 '^cycles: trial 1/2' "$LOG_DIR/$tag.diag")"
        fi
    fi

    tag=microbit-v2-$num
    elf=$(board_info microbit-v2 "$num" elf)
    if ! make -s --no-print-directory BOARD=microbit-v2 NUM="$num" board-build >"$LOG_DIR/$tag.build" 2>&1; then
        fail "$tag" "build with the default configuration (log: $LOG_DIR/$tag.build)"
        tail -3 "$LOG_DIR/$tag.build" | sed 's/^/      /'
    else
        n_failed=${#failed[@]}
        static_checks "$tag" "$elf" 131072 524288
        if ((${#failed[@]} == n_failed)); then
            echo "ok    $tag: builds with the default configuration; $("${CROSS}size" "$elf" | awk 'NR == 2 {print "flash " $1 + $2 ", RAM " $2 + $3 " bytes"}'); vector table, entry, sections, hex/bin checked"
        fi
    fi
done

if ((${#failed[@]})); then
    echo "test-microbit-flashable FAILED: ${failed[*]}"
    exit 1
fi
echo "test-microbit-flashable passed"
