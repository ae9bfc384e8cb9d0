#!/usr/bin/env bash
# make test: runs every test target, keeps going after a failure, and ends with one summary
# line ("N passed, M failed") naming what failed.
set -u
passed=0; failed=0; failures=()
start=$(date +%s)
for target in "$@"; do
  echo "=== $target"
  t0=$(date +%s)
  if make --no-print-directory "$target"; then
    passed=$((passed + 1)); echo "--- $target: pass ($(( $(date +%s) - t0 )) s)"
  else
    failed=$((failed + 1)); failures+=("$target"); echo "--- $target: FAIL ($(( $(date +%s) - t0 )) s)"
  fi
done
echo
echo "test targets: $* ($(( $(date +%s) - start )) s)"
[ $failed -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
