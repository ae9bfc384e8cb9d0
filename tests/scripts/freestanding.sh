#!/usr/bin/env bash
# core/ is freestanding: every file compiles alone with -ffreestanding -nostdlib, by gcc for the
# host and by arm-none-eabi-gcc for Cortex-M0 (soft float) and M4F (hard float), in both numeric
# modes (one that does not compile is a failure), and the linked core needs nothing but this
# documented list:
#   host (x86-64):  nothing at all
#   ARM:            the compiler's own helpers from libgcc (__aeabi_*, __clzsi2, ...), and
#                   memcpy/memset, which GCC may emit for struct copies even in freestanding
#                   code; ports/cortex-m provides those two.
# The core never calls the port (port_*): the program passes it what it needs.
set -u
out=build/test/freestanding; rm -rf $out; mkdir -p $out; fails=0; n=0
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }

hosted=$(grep -rhoE '#\s*include\s*<[^>]+>' core | sort -u | grep -vE '<(stdint|stddef|stdbool|limits|float|stdarg)\.h>')
[ -z "$hosted" ] && ok "core/ includes only stdint/stddef/stdbool/limits/float/stdarg" || bad "core/ includes: $hosted"

modes=(NOPE_NUM_F32 NOPE_NUM_FIXED)
targets=("host:gcc:" "cortex-m0:arm-none-eabi-gcc:-mcpu=cortex-m0 -mthumb -mfloat-abi=soft"
         "cortex-m4f:arm-none-eabi-gcc:-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard")
for mode in "${modes[@]}"; do
  for t in "${targets[@]}"; do
    IFS=: read -r name cc flags <<<"$t"
    dir=$out/$mode-$name; mkdir -p $dir; built=1
    for f in core/src/*.c; do
      # -fno-tree-loop-distribute-patterns: every build of core has it, so GCC does not turn
      # its copy loops into memcpy calls.
      $cc -std=c11 -ffreestanding -nostdlib -fno-builtin -ffp-contract=off -fno-tree-loop-distribute-patterns \
          -O2 -Wall -Wextra -Werror \
          -D NOPE_NUM=$mode -Icore/include $flags -c "$f" -o $dir/$(basename "${f%.c}").o 2>$dir/log \
        || { bad "$mode $name: $f does not compile freestanding: $(head -2 $dir/log)"; built=0; }
    done
    [ $built = 1 ] || continue
    prefix=${cc%gcc}
    ${prefix}ld -r $dir/*.o -o $dir/core.o
    undefined=$(${prefix}nm -u $dir/core.o | awk '{print $2}' | sort -u)
    if [ $name = host ]; then
      extra=$undefined
    else
      extra=$(grep -vE '^(__aeabi_[a-z0-9]+|__(clz|ctz|popcount)[sd]i2|memcpy|memset)$' <<<"$undefined")
    fi
    extra=$(echo $extra)
    [ -z "$extra" ] && ok "$mode $name: core links needing only: $(echo ${undefined:-nothing} | cut -c1-90)" \
                    || bad "$mode $name: core needs undocumented symbols: $extra"
  done
done
echo "freestanding: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
