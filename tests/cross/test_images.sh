#!/usr/bin/env bash
# test_images.sh BOARD...: every flashable board (make test-images passes boards/*/board.mk with
# BOARD_FLASHABLE := 1), proven without the hardware:
#   - builds in every mode (NUMS) with its default EXP, making each of its BOARD_IMAGES;
#   - each image passes tools/check-image (format, flash addresses, vector table, boot2 CRC),
#     the ELF's sections lie in the chip's memory map (and an ELF linked for another chip's
#     map is refused), and the ELF's entry point is the reset vector the image holds;
#   - a deliberately broken copy of each format is refused: one changed digit in a hex data
#     record, a wrong UF2 start magic, a bin whose reset vector is even (and, with boot2, a
#     bin whose boot2 CRC no longer checks);
#   - no semihosting call in the image (check_no_semihosting.sh), which does catch one in a
#     semihosting image (qemu-mps2-an385);
#   - `make BOARD=<b> flash` with no board attached: exit non-zero, exactly one line of its
#     own on stderr (make adds its usual "*** Error" line), for every flash tool kind present;
#     the uf2 kind also copies the image to a directory standing in for the mounted drive;
#   - `make monitor`'s tools/monitor reads a report over a pty replaying a QEMU UART capture and
#     finds it equal to the host's, and unequal to the host's with another seed.
# The Debian flash tools are installed when running as root; one that cannot be is named.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/cross/lib.sh
LOG_DIR=${BUILD:-build}/test-images
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
CROSS=${CROSS:-arm-none-eabi-}
nums=${NUMS:-f32 fixed}
[ $# -ge 1 ] || { echo "test_images: no flashable boards (boards/*/board.mk with BOARD_FLASHABLE := 1)" >&2; exit 1; }

failures=0
pass() { echo "  ok    $*"; }
fail() { echo "  FAIL  $*"; failures=$((failures + 1)); }

# expect_refused FILE BOARD WHAT: check-image must say no (exit 1) to a broken copy.
expect_refused() {
    local out
    if out=$(tools/check-image "$1" --board "$2" 2>&1); then
        fail "$3: check-image accepted it"
    elif [ $? -ne 1 ]; then
        fail "$3: check-image did not answer 'invalid' (exit 1): $out"
    else
        pass "$3 refused: ${out#check-image: }"
    fi
}

# The flash tools the boards use, installed up front (tools/flash would do it on demand).
declare -A tool_pkg=([openocd]=openocd [st-flash]=stlink-tools [pyocd]=python3-pyocd)
declare -A tool_cmd=([openocd]=openocd [st-flash]=st-flash [pyocd]=pyocd-flashtool)
kinds=$(for b in "$@"; do board_info "$b" f32 flash_tool; done | sort -u | tr "\n" " ")
echo "flash tool kinds: $kinds"
for kind in $kinds; do
    pkg=${tool_pkg[$kind]:-}
    [ -n "$pkg" ] || continue
    command -v "${tool_cmd[$kind]}" >/dev/null 2>&1 || { [ "$kind" = pyocd ] && command -v pyocd >/dev/null 2>&1; } && continue
    # a fresh machine may have no package lists yet: update once if the first try fails
    if [ "$(id -u)" -eq 0 ] && { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg"; }; } \
        >"$LOG_DIR/apt-$pkg.log" 2>&1; then
        echo "installed $pkg"
    else
        echo "cannot install $pkg here (apt-get install $pkg): the $kind no-board check will say so"
    fi
done

for board in "$@"; do
    for num in $nums; do
        echo "$board $num:"
        info=$(make -s --no-print-directory BOARD="$board" NUM="$num" board-info)
        get() { sed -n "s/^$1=//p" <<<"$info"; }
        dir=$(get dir) elf=$(get elf)
        if ! make -s --no-print-directory BOARD="$board" NUM="$num" board-build >"$LOG_DIR/$board-$num.build" 2>&1; then
            fail "does not build with its default EXP: $(grep -m1 -E 'error|Error' "$LOG_DIR/$board-$num.build")"
            continue
        fi
        pass "builds with EXP='$(get exp)': $(get images)"
        for kind in elf $(get images); do
            f=$dir/nope.$kind
            if out=$(tools/check-image "$f" --board "$board" 2>&1); then
                pass "${out#check-image: }"
            else
                fail "$out"
            fi
        done

        # The entry point the ELF declares is the reset vector the chip will take.
        entry=$("${CROSS}readelf" -h "$elf" | awk '/Entry point address/ {print $4}')
        reset=$(od -An -tx4 -j $(($(get vector_offset || echo 0) + 4)) -N4 "$dir/nope.bin" 2>/dev/null | tr -d ' ')
        if [[ " $(get images) " == *" bin "* ]]; then
            if [ $((entry)) -eq $((0x$reset)) ]; then
                pass "ELF entry $entry is the image's reset vector"
            else
                fail "ELF entry $entry but the image's reset vector is 0x$reset"
            fi
        fi

        # Broken copies.
        b=$LOG_DIR/$board-$num-broken
        mkdir -p "$b"
        if [ -f "$dir/nope.hex" ]; then
            # one hex digit of the first data record's data changed; the checksum left alone
            awk 'done || substr($0, 8, 2) != "00" {print; next}
                 {d = substr($0, 10, 1); print substr($0, 1, 9) (d == "0" ? "1" : "0") substr($0, 11); done = 1}' \
                "$dir/nope.hex" >"$b/nope.hex"
            expect_refused "$b/nope.hex" "$board" "hex with one changed digit"
        fi
        if [ -f "$dir/nope.uf2" ]; then
            cp "$dir/nope.uf2" "$b/nope.uf2"
            printf '\x00' | dd of="$b/nope.uf2" bs=1 seek=0 conv=notrunc status=none
            expect_refused "$b/nope.uf2" "$board" "uf2 with a wrong start magic"
        fi
        if [ -f "$dir/nope.bin" ]; then
            off=$(($(get vector_offset || true) + 4))
            cp "$dir/nope.bin" "$b/nope.bin"
            low=$(od -An -tu1 -j "$off" -N1 "$dir/nope.bin" | tr -d ' ')
            printf "\\x$(printf %02x $((low & ~1)))" | dd of="$b/nope.bin" bs=1 seek="$off" conv=notrunc status=none
            expect_refused "$b/nope.bin" "$board" "bin with an even reset vector"
            if [ -n "$(get boot2)" ]; then
                cp "$dir/nope.bin" "$b/boot2.bin"
                printf '\xff' | dd of="$b/boot2.bin" bs=1 seek=100 conv=notrunc status=none
                mv "$b/boot2.bin" "$b/nope-boot2.bin"
                expect_refused "$b/nope-boot2.bin" "$board" "bin with one boot2 byte changed (CRC)"
            fi
        fi

        # An image linked for another chip's memory map (the MPS2's: code at 0) is refused.
        if make -s --no-print-directory BOARD=qemu-mps2-an385 NUM="$num" board-build >"$LOG_DIR/an385-$num.build" 2>&1; then
            expect_refused "$(board_info qemu-mps2-an385 "$num" elf)" "$board" "an ELF linked for qemu-mps2-an385"
        else
            fail "qemu-mps2-an385 $num does not build"
        fi

        if out=$(tests/cross/check_no_semihosting.sh "$elf" 2>&1); then
            pass "${out#check_no_semihosting: }"
        else
            fail "$out"
        fi
    done

    # Flashing with nothing attached: one line of its own, non-zero, nothing written.
    tool=$(board_info "$board" f32 flash_tool)
    set +e
    UF2_MOUNT_ROOTS=$LOG_DIR/no-drives make -s --no-print-directory BOARD="$board" flash \
        >"$LOG_DIR/$board-flash.out" 2>"$LOG_DIR/$board-flash.err"
    status=$?
    set -e
    own=$(grep -v '^make\(\[[0-9]*\]\)\?: \*\*\*' "$LOG_DIR/$board-flash.err" || true)
    lines=$(grep -c . <<<"$own" || true)
    if [ $status -ne 0 ] && [ "$lines" -eq 1 ] && [[ $own == flash:* ]]; then
        pass "$board flash ($tool), no board attached: exit $status, one line: $own"
    else
        fail "$board flash ($tool), no board attached: exit $status, $lines lines: $own"
    fi
    if [ "$tool" = uf2 ]; then
        label=$(board_info "$board" f32 flash_target)
        drive=$LOG_DIR/drives/user/$label
        mkdir -p "$drive"
        : >"$drive/INFO_UF2.TXT"
        if UF2_MOUNT_ROOTS=$LOG_DIR/drives make -s --no-print-directory BOARD="$board" flash >"$LOG_DIR/$board-flash-drive.out" 2>&1 &&
            cmp -s "$drive/nope.uf2" "$(board_info "$board" f32 dir)/nope.uf2"; then
            pass "$board flash to a (stand-in) $label drive: nope.uf2 copied intact"
        else
            fail "$board flash to a stand-in $label drive: $(tail -1 "$LOG_DIR/$board-flash-drive.out")"
        fi
    fi
done

# make monitor's reader and comparison over a real serial line: a pseudo-terminal replaying,
# again and again (as a board reset by hand would), what a UART image printed under QEMU.
echo "monitor over a serial line (a pty replaying a QEMU UART capture):"
mon_exp="--d 16 --heads 2 --layers 2 --ffn 32 --seq 16 --trials 3 --seed 9"
mon_elf=$(make -s --no-print-directory BOARD=qemu-mps2-an386 OUT=uart board-info | sed -n 's/^elf=//p')
if ! make -s --no-print-directory BOARD=qemu-mps2-an386 OUT=uart EXP="$mon_exp" board-build >"$LOG_DIR/mon.build" 2>&1 ||
    ! build_host f32 ||
    ! tools/qemu-run --machine mps2-an386 --uart --keep "$LOG_DIR/mon-qemu" "$mon_elf" >/dev/null 2>&1; then
    fail "monitor: the UART capture could not be made (logs in $LOG_DIR)"
else
    # monitor_replay EXP: tools/monitor on a pty fed the capture; its exit status.
    monitor_replay() {
        rm -f "$LOG_DIR/pty"
        python3 - "$LOG_DIR/mon-qemu/uart" >"$LOG_DIR/pty" <<'PY' &
import os, pty, sys, time, tty
master, slave = pty.openpty()
tty.setraw(slave)
print(os.ttyname(slave), flush=True)
data = open(sys.argv[1], "rb").read()
for _ in range(30):
    os.write(master, data)
    time.sleep(0.5)
PY
        local feeder=$! status=0
        for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$LOG_DIR/pty" ] && break; sleep 0.2; done
        [ -s "$LOG_DIR/pty" ] || { echo "no pty came up" >"$LOG_DIR/mon.out"; kill "$feeder"; return 2; }
        tools/monitor --baud 115200 --host "$(host_bin f32)" --exp "$1" --port "$(cat "$LOG_DIR/pty")" \
            --timeout 10 >"$LOG_DIR/mon.out" 2>&1 || status=$?
        kill "$feeder" 2>/dev/null || true
        wait "$feeder" 2>/dev/null || true
        return $status
    }
    if monitor_replay "$mon_exp"; then
        pass "$(tail -1 "$LOG_DIR/mon.out")"
    else
        fail "monitor on the replayed capture: $(tail -1 "$LOG_DIR/mon.out")"
    fi
    if monitor_replay "${mon_exp/--seed 9/--seed 10}"; then
        fail "monitor accepted a report made with another seed"
    elif grep -q '^compare: .*differ' "$LOG_DIR/mon.out"; then
        pass "monitor refuses the same capture against the host's --seed 10: $(grep -m1 '^compare' "$LOG_DIR/mon.out")"
    else
        fail "monitor against --seed 10 failed, but not by comparing: $(tail -1 "$LOG_DIR/mon.out")"
    fi
fi

echo "semihosting image:"
make -s --no-print-directory BOARD=qemu-mps2-an385 NUM=f32 board-build >"$LOG_DIR/an385.build" 2>&1 ||
    fail "qemu-mps2-an385 does not build"
if out=$(tests/cross/check_no_semihosting.sh "$(board_info qemu-mps2-an385 f32 elf)" 2>&1); then
    fail "check_no_semihosting passed a semihosting image (qemu-mps2-an385)"
else
    pass "check_no_semihosting catches qemu-mps2-an385's: $(grep -c 'semihosting call' <<<"$out") calls, e.g. $(head -1 <<<"$out" | sed 's/.*semihosting call at //')"
fi

if [ $failures -ne 0 ]; then
    echo "test_images: $failures FAILED (logs in $LOG_DIR)"
    exit 1
fi
echo "test_images: all passed ($*)"
