#!/usr/bin/python3
"""tools/serial-capture against a pseudo-terminal standing in for a board's serial port.

    tests/tools/test_serial_capture.py REPORT

Case 1: banners, CRLF line endings and a diagnostic line inside the report, written in small
chunks with pauses: serial-capture must print exactly REPORT and exit 0.
Case 2: the port stays silent after half a report: exit non-zero after --timeout.
Cases 3 and 4: stdout, then the --log file, cannot be written (/dev/full): exit 1 with one line
on stderr saying which, never a traceback.
"""

import os
import pty
import subprocess
import sys
import threading
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "tools", "serial-capture")


def open_pty():
    master, slave = pty.openpty()
    tty.setraw(slave)  # no echo, no newline translation: the bytes arrive as written
    return master, slave, os.ttyname(slave)


def feed(master, data, chunk=97, pause=0.002):
    for i in range(0, len(data), chunk):
        os.write(master, data[i:i + chunk])
        time.sleep(pause)


def run_capture(name, timeout, extra=(), stdout=subprocess.PIPE):
    return subprocess.Popen([sys.executable, TOOL, "--port", name, "--baud", "115200", "--timeout", str(timeout)]
                            + list(extra), stdout=stdout, stderr=subprocess.PIPE)


def capture_whole(noisy, extra=(), stdout=subprocess.PIPE):
    """The whole noisy stream through serial-capture: (exit status, stdout, stderr)."""
    master, slave, name = open_pty()
    proc = run_capture(name, 20, extra, stdout)
    time.sleep(0.3)  # let it open the port before bytes flow
    t = threading.Thread(target=feed, args=(master, noisy))
    t.start()
    out, err = proc.communicate(timeout=30)
    t.join()
    os.close(master)
    os.close(slave)
    return proc.returncode, out, err


def full_disk_case(noisy, what, extra, stdout):
    """A whole report arrives but cannot be written: one line on stderr naming what, exit 1."""
    code, _, err = capture_whole(noisy, extra, stdout)
    lines = err.decode(errors="replace").splitlines()
    if code != 1 or len(lines) != 1 or what not in lines[0]:
        print("serial-capture %s case failed: exit %d, stderr %r" % (what, code, err))
        return False
    return True


def main():
    with open(sys.argv[1], "rb") as fh:
        report = fh.read()
    lines = report.split(b"\n")
    noisy = (b"QEMU boot banner\r\nnope: mode f32, starting\r\n"
             + b"\r\n".join(lines[:5]) + b"\r\nnope: trial 3/20, 1 s\r\n" + b"\r\n".join(lines[5:-1])
             + b"\r\nnope: done\r\n[exit 0]\r\n")

    # case 1: a full report in a noisy stream
    code, out, err = capture_whole(noisy)
    if code != 0 or out != report:
        print("serial-capture case 1 failed: exit %d, %d bytes out (want %d), stderr %r"
              % (code, len(out), len(report), err.decode(errors="replace")))
        return 1

    # case 2: half a report, then silence: must time out
    master, slave, name = open_pty()
    proc = run_capture(name, 1.5)
    time.sleep(0.3)
    feed(master, noisy[: len(noisy) // 2])
    out, err = proc.communicate(timeout=30)
    os.close(master)
    os.close(slave)
    if proc.returncode == 0 or b"timeout" not in err:
        print("serial-capture case 2 failed: exit %d, stderr %r" % (proc.returncode, err))
        return 1

    with open("/dev/full", "wb") as full:
        if not full_disk_case(noisy, "cannot write to stdout", (), full):
            return 1
    if not full_disk_case(noisy, "cannot write --log /dev/full", ("--log", "/dev/full"), subprocess.DEVNULL):
        return 1
    print("serial-capture: pty report captured exactly; silence times out (%s); a full stdout or log is one line"
          % err.decode().strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
