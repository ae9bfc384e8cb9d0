#!/usr/bin/env bash
# flash_refusal.sh LINK_LOG BOARD MODEL SLICE: after a trained-model image failed to link, one
# line for the person who asked for it. When the linker says the FLASH region overflowed, name
# the model's and the slice's sizes and by how much they are over; otherwise pass the linker's
# own messages on. Always exits 2 (the link failed).
set -euo pipefail
log=$1 board=$2 model=$3 slice=$4
over=$(sed -n "s/.*region .FLASH. overflowed by \([0-9]*\) bytes.*/\1/p" "$log" | head -n1)
if [ -z "$over" ]; then
    cat "$log" >&2
    exit 2
fi
echo "$board: MODEL=$model ($(wc -c <"$model") bytes) and the text slice $slice ($(wc -c <"$slice") bytes)" \
    "do not fit in flash beside the program: $over bytes over; use a smaller model or TEXT_BYTES=N" >&2
exit 2
