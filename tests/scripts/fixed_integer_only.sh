#!/usr/bin/env bash
# fixed_integer_only.sh: core/ built for the fixed-point mode contains no floating point.
#  1. x86-64: every core/src/*.c compiles with -mgeneral-regs-only (any float or double value
#     needs an SSE register, which is then an error);
#  2. ARM soft-float (Cortex-M0 and Cortex-M4): no object references a libgcc floating-point
#     helper (__aeabi_f*, __aeabi_d*, __aeabi_*2f, __aeabi_*2d, __*sf*/__*df* routines);
#  3. ARM Cortex-M4F, hard-float ABI: every file compiles with -mgeneral-regs-only.
set -u
out=build/test/fixed_integer_only; mkdir -p $out; fails=0
flags=(-std=c11 -ffreestanding -fno-builtin -ffp-contract=off -Wall -Wextra -Wundef -Werror
       -O2 -D NOPE_NUM=NOPE_NUM_FIXED -Icore/include -Iports)
ok() { echo "ok   $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 1. x86-64, general registers only.
cc=${HOST_CC:-gcc}
failed_x86=()
for s in core/src/*.c; do
  $cc "${flags[@]}" -mgeneral-regs-only -c "$s" -o $out/x86-$(basename "${s%.c}").o 2>$out/x86.log ||
    { failed_x86+=("$s"); cat $out/x86.log; }
done
[ ${#failed_x86[@]} -eq 0 ] && ok "x86-64 -mgeneral-regs-only: every core/src file compiles" ||
  bad "x86-64 -mgeneral-regs-only: ${failed_x86[*]}"

# 2. ARM soft-float, no floating-point helper referenced.
CROSS=${CROSS:-arm-none-eabi-}
if ! command -v ${CROSS}gcc >/dev/null; then
  bad "${CROSS}gcc not found (needed for the ARM half of the proof)"
else
  for cpu in cortex-m0 cortex-m4; do
    objs=(); build_ok=1
    for s in core/src/*.c; do
      o=$out/$cpu-$(basename "${s%.c}").o
      ${CROSS}gcc "${flags[@]}" -mcpu=$cpu -mthumb -mfloat-abi=soft -c "$s" -o "$o" 2>$out/arm.log ||
        { build_ok=0; cat $out/arm.log; }
      objs+=("$o")
    done
    [ $build_ok = 1 ] || { bad "$cpu: core does not compile"; continue; }
    syms=$(${CROSS}nm -u "${objs[@]}" | awk '{print $NF}' |
           grep -E '^__aeabi_(f|d)|^__aeabi_[a-z0-9]*2(f|d)$|^__[a-z]*(sf|df)[0-9]*$' | sort -u)
    [ -z "$syms" ] && ok "$cpu soft-float: no floating-point helper referenced (integer helpers only: $(${CROSS}nm -u "${objs[@]}" | awk '{print $NF}' | grep '^__aeabi' | sort -u | tr '\n' ' '))" ||
      bad "$cpu soft-float: floating-point helpers referenced: $syms"
  done
fi

# 3. ARM with an FPU (Cortex-M4F, hard-float ABI): every file compiles with -mgeneral-regs-only,
#    so no FPU register is used even to move 64-bit data (which GCC otherwise does with vldr).
if command -v ${CROSS}gcc >/dev/null; then
  failed_m4f=()
  for s in core/src/*.c; do
    ${CROSS}gcc "${flags[@]}" -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard \
      -mgeneral-regs-only -c "$s" -o $out/m4f-$(basename "${s%.c}").o 2>$out/m4f.log ||
      { failed_m4f+=("$s"); cat $out/m4f.log; }
  done
  [ ${#failed_m4f[@]} -eq 0 ] && ok "cortex-m4f -mgeneral-regs-only: every core/src file compiles" ||
    bad "cortex-m4f -mgeneral-regs-only: ${failed_m4f[*]}"
fi

# Control: the same checks do catch floating point (the float32 mode's summary).
if $cc "${flags[@]/NOPE_NUM_FIXED/NOPE_NUM_F32}" -mgeneral-regs-only -c core/src/summary_f32.c \
     -o $out/control.o 2>/dev/null; then
  bad "control: -mgeneral-regs-only accepted float code, so check 1 proves nothing"
else
  ok "control: -mgeneral-regs-only rejects the float32 summary"
fi
if command -v ${CROSS}gcc >/dev/null; then
  ${CROSS}gcc "${flags[@]/NOPE_NUM_FIXED/NOPE_NUM_F32}" -mcpu=cortex-m0 -mthumb -mfloat-abi=soft \
    -c core/src/summary_f32.c -o $out/control-arm.o &&
  ${CROSS}nm -u $out/control-arm.o | grep -qE '__aeabi_(d|f)' &&
    ok "control: the ARM check sees the float32 summary's __aeabi_d* helpers" ||
    bad "control: the ARM check does not see float helpers in the float32 summary"
fi
exit $((fails > 0))
