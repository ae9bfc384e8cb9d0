#!/usr/bin/env bash
# The host program's bad-input contract: exit 2, exactly one line of printable ASCII on stderr
# naming the flag, the true reason and what is allowed (a long value is shortened, never the
# rule), nothing on stdout. And --help: exit 0, usage on stdout.
set -u
bin=$1; fails=0; n=0
check() { # expected-substring args...
  local want=$1; shift; n=$((n + 1))
  local out err rc shown="$*"
  out=$("$bin" "$@" 2>/tmp/nope_cli_err.$$); rc=$?; err=$(cat /tmp/nope_cli_err.$$)
  # The banner is not printed before a parse error, so stderr is exactly the error line.
  if [ $rc -ne 2 ] || [ -n "$out" ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [[ "$err" != *"$want"* ]] ||
     LC_ALL=C grep -q '[^ -~]' <<<"$err"; then
    echo "FAIL: nope ${shown:0:100} -> exit $rc, stdout ${#out} bytes, stderr: $err"; fails=$((fails + 1))
  else
    echo "ok   nope ${shown:0:100} -> $err"
  fi
}
check "--d 100000: over this build's capacity NOPE_MAX_D=" --d 100000
check "--bogus: unknown flag" --bogus
check "--d 12abc: not a whole number" --d 12abc
check "--heads 5: must divide --d 64" --heads 5
check "--trials 0: out of range; allowed 2.." --trials 0
check "--seed seven: not a seed" --seed seven
check "--sigma 3: out of range; allowed 0.0001..2" --sigma 3
check "--act tanh: unknown activation" --act tanh
check "--seq: needs a value" --trials 3 --seq
check "=5: no flag name before '='" =5
check "'': an empty argument where a flag was expected" ""
check "--sigma 1e99999: exponent out of range; allowed 0.0001..2" --sigma 1e99999
check "--d 9999999999999999999999999: over this build's capacity NOPE_MAX_D=" --d 9999999999999999999999999
check "--act g??lu: unknown activation" --act $'g\xc3\xa9lu'
check "--threads 0: out of range; allowed 1.." --threads 0
check "--threads 999999: over this build's capacity NOPE_MAX_THREADS=" --threads 999999
check "--threads x: not a whole number; allowed 1.." --threads x
check "--threads: needs a value" --threads
long=$(printf 'x%.0s' {1..300})
check "--act ${long:0:64}...: unknown activation; allowed relu, gelu" --act "$long"
check "--x${long:0:61}...: unknown flag (see --help)" "--x$long"
rm -f /tmp/nope_cli_err.$$
n=$((n + 1))
if "$bin" --help | grep -q -- '--sigma-in' && [ "${PIPESTATUS[0]}" -eq 0 ]; then echo "ok   nope --help"; else echo "FAIL: --help"; fails=$((fails + 1)); fi
n=$((n + 1))
if "$bin" --help | grep -q -- '--threads N' && [ "${PIPESTATUS[0]}" -eq 0 ]; then echo "ok   nope --help names --threads"; else echo "FAIL: --help has no --threads"; fails=$((fails + 1)); fi
n=$((n + 1))
a=$("$bin" --seed random --trials 2 --seq 4 --d 8 --heads 2 --layers 1 2>/dev/null | grep '^# config' | sed 's/.*seed=//')
if [[ "$a" =~ ^[0-9]+$ ]]; then echo "ok   --seed random reported its seed ($a)"; else echo "FAIL: --seed random"; fails=$((fails + 1)); fi
echo "cli: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
