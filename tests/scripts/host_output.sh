#!/usr/bin/env bash
# The host program's output contract when a stream fails. Diagnostics (banner, progress) that
# cannot be written are dropped: the report still goes to stdout complete and the exit status
# is 0. A report that cannot be written (stdout full, closed, or a pipe nobody reads) gives one
# line on stderr and exit status 1, never a silent death by SIGPIPE.
# Every run starts with SIGPIPE at its default, whatever this shell inherited.
set -u
bin=$1; fails=0; n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }
run() { env --default-signal=PIPE "$bin" "$@"; }
# A pipe whose reader has already gone, on fd $closed_pipe: a write to it fails every time.
exec {closed_pipe}> >(exec true)
wait $!

# Long enough (over a second) to show progress, so that its writes are tested too.
long=(--trials 200)
run "${long[@]}" >"$tmp/ref" 2>"$tmp/ref.diag"
if grep -q "nope: trial 200/200" "$tmp/ref.diag"; then
  echo "     (the reference run showed progress: its writes are tested below)"
else
  echo "     (the reference run took under a second and showed no progress: only the banner is tested)"
fi

run "${long[@]}" >"$tmp/out" 2>&$closed_pipe; rc=$?
if [ $rc -eq 0 ] && cmp -s "$tmp/ref" "$tmp/out"; then ok "stderr a pipe nobody reads: exit 0, report complete"
else bad "stderr a pipe nobody reads: exit $rc, report $(wc -c <"$tmp/out") of $(wc -c <"$tmp/ref") bytes"; fi

# The issue's own command line: head reads 20 bytes of the banner and leaves.
got=$( (run "${long[@]}" 2>&1 >"$tmp/out"; echo "rc=$?" >"$tmp/rc") | head -c 20)
rc=$(cat "$tmp/rc")
if [ "$rc" = rc=0 ] && [ ${#got} -eq 20 ] && cmp -s "$tmp/ref" "$tmp/out"; then ok "nope ${long[*]} 2>&1 >out.csv | head -c 20: exit 0, report complete"
else bad "nope ${long[*]} 2>&1 >out.csv | head -c 20: $rc, report $(wc -c <"$tmp/out") of $(wc -c <"$tmp/ref") bytes"; fi

run --trials 3 2>/dev/full >"$tmp/out"; rc=$?
run --trials 3 >"$tmp/ref" 2>/dev/null
if [ $rc -eq 0 ] && cmp -s "$tmp/ref" "$tmp/out"; then ok "stderr /dev/full: exit 0, report complete"
else bad "stderr /dev/full: exit $rc"; fi

# name, then the redirections as a string for eval
report_fails() {
  local what=$1 redir=$2 rc errline
  eval "run --trials 3 $redir" 2>"$tmp/err"; rc=$?
  errline=$(grep -c '^nope: could not write the report to stdout' "$tmp/err")
  if [ $rc -eq 1 ] && [ "$errline" -eq 1 ] && [ "$(grep -vc '^nope: mode ' "$tmp/err")" -eq 1 ]; then
    ok "stdout $what: exit 1, $(grep '^nope: could not' "$tmp/err")"
  else
    bad "stdout $what: exit $rc, stderr: $(cat "$tmp/err")"
  fi
}
report_fails "/dev/full" '>/dev/full'
report_fails "closed" '>&-'
report_fails "a pipe nobody reads" '>&$closed_pipe'

eval "run --trials 3 >&- 2>&-"; rc=$?
if [ $rc -eq 1 ]; then ok "stdout and stderr closed: exit 1"; else bad "stdout and stderr closed: exit $rc"; fi
run --help >/dev/full 2>"$tmp/err"; rc=$?
if [ $rc -eq 1 ] && grep -q '^nope: could not write' "$tmp/err"; then ok "--help to /dev/full: exit 1, said so"
else bad "--help to /dev/full: exit $rc, stderr: $(cat "$tmp/err")"; fi

echo "host-output: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
