#!/usr/bin/env bash
# selftest.sh SECONDS MODE...: shows that each harness's oracle catches a real defect. For each
# entry below, a copy of core/ gets one planted bug (a perl substitution on one file: the script
# stops if the substitution changed nothing), the harness is built against it and run for at
# most SECONDS; it must report the defect. Before that, each harness runs for a few seconds
# against the unpatched core, so a catch is not an old finding. Both run with
# -D FUZZ_TOLERATE_OPEN_FINDINGS (tests/fuzz/fuzz_util.h): the defects reported but not yet
# fixed are excused, exactly and only them. Prints: harness, planted bug, caught, seconds.
# FUZZ_SELFTEST_ONLY="bug-id ..." limits the run to those entries.
set -u
seconds=$1; shift
modes=" $* "
root=${FUZZ_DIR:-build/fuzz}/selftest
jobs=${FUZZ_JOBS:-2}
baseline_seconds=${FUZZ_SELFTEST_BASELINE_SECONDS:-8}
cc=${FUZZ_CC:-clang}
san=${FUZZ_SAN:--fsanitize=address,undefined -fno-sanitize-recover=all}
rm -rf "$root"; mkdir -p "$root"

# mode~harness~bug id~file (under core/)~perl substitution~what the bug is
table=$(cat <<'TABLE'
f32~f32_exp~exp-trunc-k~src/math_float.c~s/int k = \(int\)\(kf < 0\.0f \? kf - 0\.5f : kf \+ 0\.5f\);/int k = (int)kf;/~exp: k = x log2 e truncated, not rounded (wrong rounding)
f32~f32_log~log-no-ln2lo~src/math_float.c~s/return ef \* LN2_HI \+ \(log_m \+ ef \* LN2_LO\);/return ef * LN2_HI + log_m;/~log: the low part of ln 2 dropped
f32~f32_sqrt~sqrt-trunc~src/math_float.c~s/if \(\(root & 1\) && \(!exact \|\| \(q & 1\)\)\)/if (0)/~sqrt: truncates instead of rounding to nearest
f32~f32_tanh~tanh-sat-4~src/math_float.c~s/a > 9\.1f \? 1\.0f/a > 4.0f ? 1.0f/~tanh: returns 1 for x beyond 4 (range cut short)
f32~f32_gelu~gelu-x2~src/kernels_f32.c~s/0\.044715f \* x \* x \* x/0.044715f * x * x/~gelu: x^2 where x^3 belongs
f32~f32_softmax~softmax-norm-off-by-one~src/kernels_f32.c~s/(for \(size_t k = 0; k < )n(; k\+\+\)\n\s*p\[k\] = p\[k\] \/ total;)/${1}n - 1$2/~softmax: normalisation loop stops one short
f32~f32_layernorm~layernorm-n-minus-1~src/kernels_f32.c~s/squares\.sum \/ \(float\)n \+ kp->eps/squares.sum \/ (float)(n - 1) + kp->eps/~layernorm: variance divided by n - 1
f32~f32_matmul~matmul-tile-off-by-one~src/kernels_f32.c~s/for \(size_t j = 0; j < out_n; j\+\+\)\n(\s*)o\[j\] \+= ai \* wr\[j\];/for (size_t j = 0; j + 1 < out_n; j++)\n${1}o[j] += ai * wr[j];/~matmul: last column of each tile skipped
f32~f32_matmul~matmul-strip-col0~src/kernels_f32.c~s/uint64_t e = nope_weights_element\(w, n_out, row0 \+ i, col0\);/uint64_t e = nope_weights_element(w, n_out, row0 + i, 0);/~matmul: a strip of columns is drawn from column 0
f32~f32_attend~attend-keys-off-by-one~src/kernels_f32.c~s/for \(size_t n = 0; n < n_keys; n\+\+\) \{\n(\s*)const float a = scores\[n\];/for (size_t n = 0; n + 1 < n_keys; n++) {\n${1}const float a = scores[n];/~attend: last key's value left out
f32~f64_math~f64-sqrt-newton~src/math_float.c~s/for \(int i = 0; i < 10; i\+\+\)/for (int i = 0; i < 2; i++)/~f64 sqrt: two Newton steps instead of ten
f32~f64_math~f64-log-no-ln2lo~src/math_float.c~s/return ed \* LN2_HI \+ \(log_m \+ ed \* LN2_LO\);/return ed * LN2_HI + log_m;/~f64 log: the low part of ln 2 dropped
f32~gauss~gauss-wrong-end~src/rng.c~s/magnitude = hi - \(int32_t\)/magnitude = lo + (int32_t)/~gauss: interpolates from the wrong end of the cell
f32~dec_parse~parse-leading-zeros~src/decimal.c~s/if \(after_point\)\n(\s*)exp10--;\n(\s*)if \(\*p == '0'\) \{/if (after_point && *p != '0')\n${1}exp10--;\n${2}if (*p == '0') {/~parse: zeros after the point do not move the exponent
f32~dec_parse~ufix-trunc~src/decimal.c~s/\*out = \(result \+ 1\) >> 1;/*out = result >> 1;/~to_ufix: truncates instead of rounding
f32~fmt~sci-half-down~src/format.c~s/dropped >= 5/dropped > 5/~fmt_sci: rounds half down
f32~fmt~from-double-trunc~src/decimal.c~s/uint64_t digits = \(uint64_t\)\(s \+ 0\.5\);/uint64_t digits = (uint64_t)s;/~dec_from_double: truncates the 9th digit
f32~cli~cli-no-divides-check~src/cli.c~s/if \(c\.d % c\.heads != 0\) \{/if (0) {/~cli: heads-divides-d check missing
f32~cli~cli-capacity-off-by-one~src/cli.c~s/parse_uint\(flag, value, 2, NOPE_MAX_D,/parse_uint(flag, value, 2, NOPE_MAX_D + 1,/~cli: d accepted one past capacity
f32~partial~partial-leading-zeros~src/partial.c~s/\(i > \*at && line\[\*at\] == '0'\) \|\| //~merge: numbers with leading zeros accepted (a part a run never writes)
f32~model_file~mf-no-crc~src/model_file.c~s/if \(nope_crc32\(0, bytes, size - NOPE_MF_CRC_BYTES\) != out->crc\)/if (0)/~model file: the CRC-32 is not verified
f32~model_file~mf-nan-accepted~src/model_file.c~s/return \(bits & UINT32_C\(0x7f800000\)\) != UINT32_C\(0x7f800000\);/return 1;/~model file: NaN and infinity accepted in a tensor
f32~model_file~mf-no-divides-check~src/model_file.c~s/if \(m->d % m->heads != 0\)\n\s*return NOPE_MF_ERR_HEADS_DIVIDE;\n//~model file: heads-divides-d check missing
f32~model_file~mf-trailing-accepted~src/model_file.c~s/if \(\(uint64_t\)size > out->expected_size\)\n\s*return NOPE_MF_ERR_TRAILING;\n//~model file: bytes after the last tensor accepted
f32~model_file~mf-seq-capacity-off-by-one~src/model_file.c~s/m->seq > NOPE_MAX_SEQ\)/m->seq > NOPE_MAX_SEQ + 1)/~model file: seq accepted one past capacity
f32~model_file~mf-fixed-ties-away~src/model_file.c~s/mag = negative \? \(m \+ half - 1\) >> k : \(m \+ half\) >> k;/mag = (m + half) >> k;/~model file: fixed point rounds negative ties away from zero
fixed~fixed_arith~sat32-no-low-clamp~include/nope/math_fixed.h~s/    if \(x < INT32_MIN\) \{\n\s*nope_fx_sat_count\+\+;\n\s*return INT32_MIN;\n\s*\}\n//~sat32: no saturation below INT32_MIN (missing saturation)
fixed~fixed_arith~round-shr-trunc~include/nope/math_fixed.h~s/\+ \(int64_t\)\(\(\(uint64_t\)x >> \(s - 1\)\) & 1u\);/+ 0;/~round_shr: floor instead of round (so mul truncates)
fixed~fixed_arith~div-round-ties~src/math_fixed.c~s/return -\(int64_t\)\(q \+ \(r > d - r/return -(int64_t)(q + (r >= d - r/~div_round: negative ties rounded down (wrong rounding)
fixed~fixed_math~exp-horner-off-by-one~src/math_fixed.c~s/for \(uint64_t n = 11; n >= 1; n--\)/for (uint64_t n = 11; n >= 2; n--)/~exp_neg_q31: Horner loop stops one term early
fixed~fixed_math~tanh-sat-4~src/math_fixed.c~s/(uint32_t nope_fx_tanh_q31\(uint64_t u\)\n\{\n(?:.*\n)*?\s*if \(u >= )EXP_ZERO_Q32\)/${1}(UINT64_C(4) << 32))/~tanh_q31: returns 1 from u >= 4 (range cut short)
fixed~fixed_gelu~gelu-limit-2~src/math_fixed.c~s/const int64_t limit = \(int64_t\)8 << NOPE_Q_FRAC;/const int64_t limit = (int64_t)2 << NOPE_Q_FRAC;/~gelu: x or 0 for x beyond 2 (range cut short)
fixed~fixed_softmax~softmax-max-off-by-one~src/kernels_fixed.c~s/(int32_t top = p\[0\];\n\s*for \(size_t k = 1; k )< n;/${1}+ 1 < n;/~softmax: the max skips the last score
fixed~fixed_layernorm~layernorm-n-minus-1~src/kernels_fixed.c~s/u128_div_u32_round\(sq, \(uint32_t\)n\)/u128_div_u32_round(sq, (uint32_t)(n > 1 ? n - 1 : 1))/~layernorm: variance divided by n - 1
fixed~fixed_layernorm~layernorm-no-eps~src/kernels_fixed.c~s/nope_u128 v = nope_u128_add\(nope_u128_div_u32_round\(sq, \(uint32_t\)n\), eps\);/nope_u128 v = nope_u128_div_u32_round(sq, (uint32_t)n);/~layernorm: epsilon left out of the variance
fixed~fixed_matmul~matmul-no-saturation~src/kernels_fixed.c~s/nope_fx_sat32\(nope_fx_round_shr\(matmul_acc\[r \* cw \+ j\], NOPE_DRAW_FRAC_BITS\)\)/(int32_t)nope_fx_round_shr(matmul_acc[r * cw + j], NOPE_DRAW_FRAC_BITS)/~matmul: output not saturated (missing saturation)
fixed~fixed_matmul~matmul-tile-off-by-one~src/kernels_fixed.c~s/for \(size_t j = 0; j < out_n; j\+\+\)\n(\s*)acc\[j\] \+= ai \* wr\[j\];/for (size_t j = 0; j + 1 < out_n; j++)\n${1}acc[j] += ai * wr[j];/~matmul: last column of each tile skipped
fixed~fixed_attend~attend-keys-off-by-one~src/kernels_fixed.c~s/for \(size_t n = 0; n < n_keys; n\+\+\)\n(\s*)acc \+= \(int64_t\)scores\[n\]/for (size_t n = 0; n + 1 < n_keys; n++)\n${1}acc += (int64_t)scores[n]/~attend: last key's value left out
TABLE
)

num_def() { [ "$1" = fixed ] && echo NOPE_NUM_FIXED || echo NOPE_NUM_F32; }

# build DIR MODE HARNESS: core copy in DIR/core -> DIR/fuzz_HARNESS
build() {
  local dir=$1 mode=$2 harness=$3 def f
  def=$(num_def "$mode")
  mkdir -p "$dir/obj"
  for f in "$dir"/core/src/*.c; do
    $cc -I"$dir/core/include" $FUZZ_CORE_FLAGS -fsanitize=fuzzer-no-link $san -D NOPE_NUM=$def \
      -c "$f" -o "$dir/obj/$(basename "$f" .c).o" || return 1
  done
  $cc -I"$dir/core/include" $FUZZ_HARNESS_FLAGS -D NOPE_NUM=$def -D FUZZ_TOLERATE_OPEN_FINDINGS \
    -fsanitize=fuzzer $san "tests/fuzz/fuzz_$harness.c" "$dir"/obj/*.o -lm -o "$dir/fuzz_$harness"
}

# run DIR HARNESS SECONDS: runs from the seed corpus; writes DIR/result "rc seconds"
run() {
  local dir=$1 harness=$2 secs=$3 t0 rc
  rm -rf "$dir/corpus"; mkdir -p "$dir/corpus" "$dir/artifacts"
  cp tests/fuzz/corpus/"$harness"/* "$dir/corpus/" 2>/dev/null
  t0=$(date +%s.%N)
  local dict=()
  [ -f "tests/fuzz/$harness.dict" ] && dict=(-dict="tests/fuzz/$harness.dict")
  "$dir/fuzz_$harness" "${dict[@]}" -max_total_time="$secs" -timeout=10 -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1
  rc=$?
  echo "$rc $(echo "$(date +%s.%N) - $t0" | bc)" >"$dir/result"
}

one() { # one entry: plant, build, run
  local mode=$1 harness=$2 bug=$3 file=$4 subst=$5 dir=$root/$1-$3
  mkdir -p "$dir"; cp -r core "$dir/core"
  perl -0pi -e "$subst" "$dir/core/$file"
  if cmp -s "core/$file" "$dir/core/$file"; then
    echo "PLANT FAILED" >"$dir/result"; return
  fi
  build "$dir" "$mode" "$harness" >"$dir/build.log" 2>&1 || { echo "BUILD FAILED" >"$dir/result"; return; }
  run "$dir" "$harness" "$seconds"
}

baseline() { # the harness against the unpatched core, tolerating the open findings
  local mode=$1 harness=$2 dir=$root/$1-baseline-$2
  mkdir -p "$dir"; cp -r core "$dir/core"
  build "$dir" "$mode" "$harness" >"$dir/build.log" 2>&1 || { echo "BUILD FAILED" >"$dir/result"; return; }
  run "$dir" "$harness" "$baseline_seconds"
}

throttle() { while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 0.2; done; }

entries=()
while IFS='~' read -r mode harness bug file subst what; do
  [ -z "$mode" ] && continue
  [[ $modes == *" $mode "* ]] || continue
  # FUZZ_SELFTEST_ONLY="bug-id ...": just those entries
  [ -n "${FUZZ_SELFTEST_ONLY:-}" ] && [[ " $FUZZ_SELFTEST_ONLY " != *" $bug "* ]] && continue
  entries+=("$mode~$harness~$bug~$file~$subst~$what")
done <<<"$table"

harnesses=$(printf '%s\n' "${entries[@]}" | cut -d'~' -f1,2 | tr '~' '|' | sort -u)
for mh in $harnesses; do throttle; baseline "${mh%%|*}" "${mh##*|}" & done
for e in "${entries[@]}"; do
  IFS='~' read -r mode harness bug file subst what <<<"$e"
  throttle; one "$mode" "$harness" "$bug" "$file" "$subst" &
done
wait

fail=0
echo
echo "baseline (unpatched core, ${baseline_seconds} s each, open findings excused):"
for mh in $harnesses; do
  r=$(cat "$root/${mh%%|*}-baseline-${mh##*|}/result")
  if [ "${r%% *}" = 0 ]; then echo "  ${mh/|//}: clean"; else echo "  ${mh/|//}: FAILS ($r) [$root/${mh%%|*}-baseline-${mh##*|}/log]"; fail=1; fi
done
echo
printf '%-22s %-26s %-7s %8s  %s\n' harness "planted bug" caught seconds "bug / how it was caught"
for e in "${entries[@]}"; do
  IFS='~' read -r mode harness bug file subst what <<<"$e"
  dir=$root/$mode-$bug
  read -r rc secs <"$dir/result"
  if [ "$rc" = "PLANT" ] || [ "$rc" = "BUILD" ]; then
    printf '%-22s %-26s %-7s %8s  %s\n' "$mode/$harness" "$bug" "ERROR" "-" "$rc FAILED [$dir]"; fail=1; continue
  fi
  how=$(grep -m1 -oE 'FUZZ ORACLE FAILURE|ERROR: AddressSanitizer: [a-z-]+|runtime error|deadly signal|timeout' "$dir/log")
  if [ "$rc" != 0 ] && [ -n "$how" ]; then
    printf '%-22s %-26s %-7s %8.1f  %s (%s)\n' "$mode/$harness" "$bug" yes "$secs" "$what" "$how"
  else
    printf '%-22s %-26s %-7s %8.1f  %s\n' "$mode/$harness" "$bug" NO "$secs" "$what"; fail=1
  fi
done
exit $fail
