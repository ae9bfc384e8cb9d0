#!/usr/bin/python3
"""tools/reference refuses exactly the flags the C program refuses, and accepts the rest alike.

    tests/tools/test_reference_flags.py [C_PROGRAM]

Each case is checked in one process against tools/reference's own flag parser (fast: no
experiment runs) and against the expected exit status written here. When C_PROGRAM exists, each
case also runs through it, so the table cannot drift from the C program: same exit status, and
for an accepted case the same '# config' line (the decimals written back alike).
"""

import importlib.machinery
import importlib.util
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "tools", "reference")
# small, so an accepted case runs in milliseconds; each case's own flags come after and win
TINY = ["--d", "2", "--heads", "1", "--layers", "1", "--seq", "2", "--trials", "2"]

# (flags, exit status of build/host/nope and tools/reference)
CASES = [
    ("--seq 1", 2), ("--seq 2", 0), ("--seq 1024", 0), ("--seq 1025", 2),
    ("--seed 0x10", 2), ("--seed -1", 2), ("--seed +5", 2), ("--seed ' 5'", 2), ("--seed 1_0", 2),
    ("--seed 007", 0), ("--seed 0", 0), ("--seed 18446744073709551615", 0), ("--seed 18446744073709551616", 2),
    ("--seed=", 2), ("--seed", 2),
    ("--d +5", 2), ("--d 05", 0), ("--d 1_0", 2), ("--d 1", 2), ("--d 1025", 2), ("--d=", 2), ("--d", 2),
    ("--d 1000000 --ffn 1000000", 2), ("--d 1000 --ffn 1000000", 2), ("--d 10 --heads 4", 2),
    ("--d 2000 --d 2", 2), ("--d 1024 --heads 8 --ffn 8", 0), ("--d 1024 --heads 8 --ffn 8 --d 2 --heads 1", 0),
    ("--heads 0", 2), ("--heads 65", 2), ("--layers 0", 2), ("--layers 49", 2), ("--ffn 0", 2), ("--ffn 4097", 2),
    ("--vocab 0", 2), ("--vocab 16777216", 0), ("--vocab 16777217", 2),
    ("--trials 1", 2), ("--trials 1000001", 2), ("--trials 3", 0),
    ("--sigma 1e999999", 2), ("--sigma 1e-999999999", 2), ("--sigma 1e300", 2), ("--sigma 1e9999", 2),
    ("--sigma 1e10000", 2), ("--sigma 1e-10000", 2), ("--sigma 0.1e-9999", 2), ("--sigma 10e9998", 2),
    ("--sigma inf", 2), ("--sigma nan", 2), ("--sigma infinity", 2), ("--sigma 0", 2), ("--sigma -0", 2),
    ("--sigma -1", 2), ("--sigma 1_0", 2), ("--sigma 0x1p-3", 2), ("--sigma 1E0", 0), ("--sigma 2e0000000000", 0),
    ("--sigma 00000000000000000000000002", 0), ("--sigma 2.0000000000000001", 2),
    ("--sigma 2.00000000000000000000000000", 0), ("--sigma 0.1234567890123456789", 2),
    ("--sigma 0.123456789012345678", 0), ("--sigma 1234567890123456789e-18", 2),
    ("--sigma 0.0000000000000000000001000000000000000000", 2), ("--sigma 1e-4", 0), ("--sigma 0.00009999", 2),
    ("--sigma .5", 0), ("--sigma 5.", 2), ("--sigma 1.", 0), ("--sigma .", 2), ("--sigma 1.5.", 2), ("--sigma e5", 2),
    ("--sigma 1.", 0), ("--sigma 1e+", 2), ("--sigma 1e+0", 0), ("--sigma 15e-2", 0), ("--sigma +1", 0),
    ("--sigma ' 1'", 2), ("--sigma '1 '", 2), ("--sigma ''", 2), ("--sigma=", 2), ("--sigma=1=2", 2),
    ("--sigma 1,5", 2), ("--sigma \u0661", 2),
    ("--sigma-in 0", 2), ("--sigma-in 2", 0), ("--eps 0 --sigma-in 0", 2), ("--eps 0", 2), ("--eps 1e-12", 0),
    ("--eps 9.99999999999999999e-13", 2), ("--eps 1.23456789012345678e-12", 0), ("--eps 1.0000000000000000001", 2),
    ("--eps 1", 0), ("--eps 1.000", 0),
    ("--act foo", 2), ("--act GELU", 2), ("--act=gelu", 0), ("--act", 2), ("--input x", 2), ("--input tokens", 0),
    ("''", 2), ("=5", 2), ("--bogus", 2), ("-x", 2), ("--sigma 2 --sigma 0", 2),
    ("--help", 0), ("-h", 0), ("--help=1", 0), ("--d 0 --help", 2), ("--d --help", 2),
]
# the reference's hidden self-test flag: not the C program's, so checked on the reference alone
REFERENCE_ONLY = [("--plant peek-next", 0), ("--plant no-scale", 0), ("--plant bogus", 2), ("--plant", 2)]


def load_reference():
    loader = importlib.machinery.SourceFileLoader("reference", TOOL)
    spec = importlib.util.spec_from_loader("reference", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def reference_outcome(ref, argv):
    """(exit status, config line or None, message) of tools/reference's flag parsing."""
    try:
        a = ref.parse_args(argv)
    except ref.FlagError as e:
        return 2, None, str(e)
    return 0, (None if a is None else ref.config_line(a)), ""


def c_outcome(binary, argv):
    p = subprocess.run([binary] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    lines = p.stdout.decode("latin-1").split("\n")
    config = lines[2] if len(lines) > 2 and lines[2].startswith("# config") else None
    return p.returncode, config, p.stderr.decode("latin-1").strip()


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ""
    have_c = os.access(binary, os.X_OK)
    ref = load_reference()
    bad = 0
    for flags, want in CASES + REFERENCE_ONLY:
        argv = TINY + shlex.split(flags)
        got, config, msg = reference_outcome(ref, argv)
        if got != want:
            print("FAIL reference %s: exit %d, want %d (%s)" % (flags, got, want, msg))
            bad += 1
        if got == 2 and ("\n" in msg or not msg):
            print("FAIL reference %s: message is not one line: %r" % (flags, msg))
            bad += 1
        if not have_c or (flags, want) in REFERENCE_ONLY:
            continue
        c_got, c_config, c_msg = c_outcome(binary, argv)
        if c_got != want:
            print("FAIL the table: %s %s exits %d, the table says %d (%s)" % (binary, flags, c_got, want, c_msg))
            bad += 1
        elif config != c_config:
            print("FAIL config line for %s:\n  C:         %s\n  reference: %s" % (flags, c_config, config))
            bad += 1
    if bad:
        print("reference flags: %d failure(s)" % bad)
        return 1
    print("reference flags: %d cases agree with the table%s" % (len(CASES) + len(REFERENCE_ONLY),
          (" and with " + binary) if have_c else " (no C program at '%s' to check the table against)" % binary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
