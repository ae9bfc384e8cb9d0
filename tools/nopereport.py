"""Reading, writing and extracting nope-variance reports (format v1).

Shared by tools/plot, tools/reference, tools/check-reference, tools/compare and
tools/serial-capture. Standard library only (numpy is not needed to parse a report).

A report is, exactly:
    # nope-variance report v1
    # mode=...
    # config key=value ...
    # theory layer=1 c=... formula=...
    # slope layer=L attn=... hid=...        (one per layer)
    # ratio layer=1 mean=...
    # theory2 layer=1 s=... mean=... worst=... at=...   (optional: the C program's second theory)
    layer,pos,attn_var,attn_se,attn_theory,hid_var,hid_se[,more columns, e.g. attn_theory2]
    one row per (layer, pos)
    # checksum fnv1a64=<16 hex digits>      (FNV-1a 64 of every byte before this line)
A trained model's report (build/host/nope --model FILE --text FILE) has no theory, ratio or
theory2 lines, empty attn_theory and attn_theory2 cells, a config line that begins
"model=<CRC-32> model_bytes=N text=<CRC-32> text_bytes=N", and two more columns, loss and loss_se
(bits per byte at that position, the same in every layer's rows); Report.trained says which.
Other comment lines (e.g. "# saturations=0", "# underflows=3", "# warning ...") may appear and
are kept but not interpreted. Columns are found by header name, so columns added after hid_se are
harmless. An empty number (a slope, ratio or cell that is undefined, e.g. the slope of an all-zero
variance) is missing: NaN here, never an error.

Also the tools' common behaviour on bad input and failed writes (run, die, emit, ArgumentParser):
one line on stderr naming the tool, never a traceback or a multi-line usage dump.
"""

import argparse
import math
import os
import re
import sys
import traceback
import warnings

MAGIC = "# nope-variance report v1"
CHECKSUM_RE = re.compile(r"# checksum fnv1a64=([0-9a-f]{16})")
REQUIRED_COLUMNS = ("layer", "pos", "attn_var", "attn_se", "attn_theory", "hid_var", "hid_se")


class ReportError(Exception):
    """The input is not a (complete, intact) report; the message says why in one line."""


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def fmt_num(x: float) -> str:
    """9 significant digits, d.dddddddde[+-]XX; empty for a missing value."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return "%.8e" % x


def with_checksum(body: str) -> str:
    """Append the checksum line to a report body (which ends with a newline)."""
    return body + "# checksum fnv1a64=%s\n" % fnv1a64(body.encode("ascii"))


def extract(capture: str) -> str:
    """The report inside a noisy capture (banners around it, CRLF, diagnostic lines mixed in).

    Returns the report text with LF line endings, from the magic line through the checksum line.
    Diagnostic lines interleaved inside the report are dropped when the plain block does not
    verify but the block without them does. Raises ReportError when nothing verifies.
    """
    text = capture.replace("\r\n", "\n").replace("\r", "\n")
    start = text.rfind(MAGIC)
    if start < 0:
        raise ReportError("no '%s' line found" % MAGIC)
    # the most recent report wins (a board may have been reset mid-run); search forward from it
    m = CHECKSUM_RE.search(text, start)
    if m is None:
        raise ReportError("report starts but has no '# checksum' line (truncated?)")
    block = text[start:m.end()] + "\n"
    want = m.group(1)
    body = block[: block.rfind("# checksum")]
    if fnv1a64(body.encode("latin-1")) == want:
        return block
    # drop lines that cannot belong to a report (diagnostics interleaved on a shared channel)
    kept = [ln for ln in body.split("\n")[:-1] if _looks_like_report_line(ln)]
    body2 = "".join(ln + "\n" for ln in kept)
    if fnv1a64(body2.encode("latin-1")) == want:
        return body2 + "# checksum fnv1a64=%s\n" % want
    raise ReportError("checksum mismatch: line says %s, report bytes give %s"
                      % (want, fnv1a64(body.encode("latin-1"))))


_ROW_RE = re.compile(r"^[0-9]+,[0-9]+,[-+0-9.eEnaif,]*$")


def _looks_like_report_line(line: str) -> bool:
    return line.startswith("# ") or line.startswith("layer,") or bool(_ROW_RE.match(line))


def _kv(fields):
    out = {}
    for f in fields:
        if "=" in f:
            k, v = f.split("=", 1)
            out[k] = v
    return out


# what the producers print (9-digit scientific, inf, nan) and any plain decimal; Python's float()
# alone would also take "1_0", "infinity" and surrounding blanks
_NUMBER_RE = re.compile(r"-?(inf|nan|[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|\.[0-9]+([eE][-+]?[0-9]+)?)")
_INDEX_RE = re.compile(r"[0-9]+")


def number(text: str) -> float:
    """A report number; an empty one is undefined (NaN). ValueError if it is not a number."""
    if text == "":
        return math.nan
    if not _NUMBER_RE.fullmatch(text):
        raise ValueError(text)
    return float(text)


def _index(text: str) -> int:
    """A layer or position: a whole number >= 1 (never inf, nan or empty)."""
    if not _INDEX_RE.fullmatch(text) or int(text) < 1:
        raise ValueError(text)
    return int(text)


class Report:
    """A parsed report. Attributes:
    text      the exact report text
    mode      e.g. "f32", "fixed", "reference"
    config    dict of the config line's key=value strings (in order)
    theory    dict of the theory line (layer, c, formula) or {}
    theory2   dict of the theory2 line (layer, s, mean, worst, at) or {}
    trained   True for a trained model's report (config has model=...): loss, loss_se columns
    slopes    {layer: {"attn": float, "hid": float}}   (NaN: undefined)
    ratios    {layer: float}                           (NaN: undefined)
    comments  every comment line other than magic and checksum
    columns   header names
    cols      {name: list of floats (nan for empty cells)}; layer and pos are ints
    layers    number of layers (max layer seen), seq (max pos seen)
    Rows are complete and in order: layer 1 pos 1..seq, then layer 2, and so on.
    """

    def __init__(self, text: str, source: str = "input"):
        self.text = text
        self.source = source
        if not text.strip():
            raise ReportError("%s: empty input, not a nope-variance report" % source)
        if not text.startswith(MAGIC + "\n"):
            raise ReportError("%s: not a nope-variance report (first line is not '%s')" % (source, MAGIC))
        if not text.endswith("\n"):
            raise ReportError("%s: truncated report (no newline at the end)" % source)
        lines = text[:-1].split("\n")
        m = CHECKSUM_RE.fullmatch(lines[-1])
        if m is None:
            raise ReportError("%s: truncated report (last line is not '# checksum fnv1a64=...')" % source)
        body = text[: len(text) - len(lines[-1]) - 1]
        got = fnv1a64(body.encode("latin-1"))
        if got != m.group(1):
            raise ReportError("%s: checksum mismatch (line says %s, bytes give %s)" % (source, m.group(1), got))
        self.checksum = m.group(1)
        self.mode = None
        self.config = {}
        self.theory = {}
        self.theory2 = {}
        self.slopes = {}
        self.ratios = {}
        self.comments = []
        self.columns = None
        raw_rows = []
        row_lines = []
        for i, ln in enumerate(lines[1:-1], start=2):
            if ln.startswith("#"):
                self.comments.append(ln)
                f = ln[1:].split()
                if not f:
                    continue
                if f[0].startswith("mode="):
                    self.mode = f[0][5:]
                elif f[0] == "config":
                    self.config = _kv(f[1:])
                elif f[0] == "theory":
                    self.theory = _kv(f[1:])
                elif f[0] == "theory2":
                    self.theory2 = _kv(f[1:])
                elif f[0] == "slope":
                    kv = _kv(f[1:])
                    try:
                        self.slopes[_index(kv["layer"])] = {k: number(kv[k]) for k in ("attn", "hid") if k in kv}
                    except (KeyError, ValueError):
                        raise ReportError("%s:%d: malformed slope line" % (source, i))
                elif f[0] == "ratio":
                    kv = _kv(f[1:])
                    try:
                        self.ratios[_index(kv["layer"])] = number(kv["mean"])
                    except (KeyError, ValueError):
                        raise ReportError("%s:%d: malformed ratio line" % (source, i))
            elif self.columns is None:
                self.columns = ln.split(",")
                missing = [c for c in REQUIRED_COLUMNS if c not in self.columns]
                if missing:
                    raise ReportError("%s:%d: header lacks column(s) %s" % (source, i, ",".join(missing)))
                where = {c: self.columns.index(c) for c in ("layer", "pos")}
            else:
                cells = ln.split(",")
                if len(cells) != len(self.columns):
                    raise ReportError("%s:%d: %d cells, header has %d" % (source, i, len(cells), len(self.columns)))
                for c, j in where.items():
                    try:
                        cells[j] = _index(cells[j])
                    except ValueError:
                        raise ReportError("%s:%d: %s %r is not a whole number >= 1" % (source, i, c, cells[j]))
                try:
                    raw_rows.append([c if isinstance(c, int) else number(c) for c in cells])
                except ValueError as e:
                    raise ReportError("%s:%d: cell %r is not a number" % (source, i, str(e)))
                row_lines.append(i)
        if self.columns is None:
            raise ReportError("%s: no column header line" % source)
        if not raw_rows:
            raise ReportError("%s: no data rows" % source)
        self.cols = {c: [r[j] for r in raw_rows] for j, c in enumerate(self.columns)}
        self.trained = "model" in self.config
        self.layers = max(self.cols["layer"])
        self.seq = max(self.cols["pos"])
        if len(raw_rows) != self.layers * self.seq:
            raise ReportError("%s: %d rows, expected layers*seq = %d" % (source, len(raw_rows), self.layers * self.seq))
        # a duplicated row can make the count right while another layer has no rows at all
        for k, (L, p, i) in enumerate(zip(self.cols["layer"], self.cols["pos"], row_lines)):
            want = (k // self.seq + 1, k % self.seq + 1)
            if (L, p) != want:
                raise ReportError("%s:%d: layer %d pos %d where layer %d pos %d belongs (rows go layer by layer)"
                                  % ((source, i, L, p) + want))

    def layer(self, layer: int, column: str):
        """(positions, values) of one column for one layer, in row order."""
        pos, val = [], []
        for L, p, v in zip(self.cols["layer"], self.cols["pos"], self.cols[column]):
            if L == layer:
                pos.append(p)
                val.append(v)
        return pos, val

    def title(self) -> str:
        c = self.config
        if "model" in c:
            keys = ("model", "text", "d", "heads", "layers", "ffn", "seq", "act", "trials")
            return "mode=%s  trained " % self.mode + " ".join("%s=%s" % (k, c[k]) for k in keys if k in c)
        keys = ("d", "heads", "layers", "ffn", "seq", "sigma", "sigma_in", "act", "input", "trials")
        parts = ["%s=%s" % (k, c[k]) for k in keys if k in c]
        if c.get("input") == "tokens" and "vocab" in c:
            parts.insert(parts.index("input=tokens") + 1, "vocab=%s" % c["vocab"])
        return "mode=%s  " % self.mode + " ".join(parts)


def read(path: str) -> Report:
    """Parse a report from a file path ('-' is stdin); ReportError on anything else."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
            source = "stdin"
        else:
            with open(path, "rb") as fh:
                data = fh.read()
            source = path
    except OSError as e:
        raise ReportError("%s: %s" % (path, why(e)))
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise ReportError("%s: not a nope-variance report (not ASCII text)" % source)
    return Report(text, source)


def loglog_slope(pos, val) -> float:
    """Least-squares slope of log(val) against log(pos) over the positions with a positive value;
    NaN when fewer than two have one."""
    xs = [math.log(p) for p, v in zip(pos, val) if 0 < v < math.inf]
    ys = [math.log(v) for v in val if 0 < v < math.inf]
    n = len(xs)
    if n < 2:
        return math.nan
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return sxy / sxx if sxx > 0 else math.nan


# ---- what every tool does on bad input and failed writes: one line on stderr, never a traceback ----

PROG = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "tool"


def one_line(text) -> str:
    """Control bytes (a newline in a file name, say) become '?', as in the C program's messages."""
    return "".join("?" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in str(text))


def why(e: OSError) -> str:
    return e.strerror or str(e) or type(e).__name__


def warn(msg: str):
    try:
        print("%s: %s" % (PROG, one_line(msg)), file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass  # stderr itself is gone: nowhere left to say it


def die(msg: str, code: int = 1):
    warn(msg)
    sys.exit(code)


def _stdout_failed(e: OSError):
    # Point fd 1 at /dev/null so the interpreter's final flush of what is still buffered
    # succeeds quietly instead of printing a second, multi-line complaint.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    die("cannot write to stdout: %s" % why(e), 1)


def emit(text: str):
    """Write to stdout and flush now, so a full disk or a closed pipe is seen here (exit 1)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as e:
        _stdout_failed(e)


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are one line, 'tool: message (see --help)', exit 2."""

    def error(self, message):
        die("%s (see --help)" % message, 2)

    def print_help(self, file=None):
        if file is None:
            emit(self.format_help())  # --help > /dev/full: one line, not argparse's traceback
        else:
            super().print_help(file)


def whole_number(lo: int):
    """An argparse type: digits only (no sign, blanks or '_'), at least lo."""
    def parse(text):
        if not _INDEX_RE.fullmatch(text) or int(text) < lo:
            raise argparse.ArgumentTypeError("%r: allowed a whole number >= %d" % (text, lo))
        return int(text)
    parse.__name__ = "whole number"
    return parse


def positive_number(text: str) -> float:
    """An argparse type: a finite number > 0 (NaN or inf would make a limit that never applies)."""
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not (0 < v < math.inf):
        raise argparse.ArgumentTypeError("%r: allowed a finite number > 0" % text)
    return v


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    warn("warning: %s" % message)


def run(prog: str, main):
    """sys.exit(main(argv)) where nothing escapes as a traceback: stdout is flushed inside the
    guard, an interrupt is one line (exit 130), and an unexpected exception is one line naming
    where it was raised (exit 1), since it is a bug to fix here rather than the user's input."""
    global PROG
    PROG = prog
    warnings.showwarning = _one_line_warning
    try:
        code = main(sys.argv[1:])
    except SystemExit as e:
        code = e.code
    except ReportError as e:
        warn(str(e))
        code = 1
    except KeyboardInterrupt:
        warn("interrupted")
        code = 130
    except Exception as e:  # noqa: BLE001 (the guard exists for what nobody foresaw)
        where = traceback.extract_tb(e.__traceback__)[-1]
        warn("internal error: %s: %s (at %s:%d)" % (type(e).__name__, e, os.path.basename(where.filename),
                                                    where.lineno))
        code = 1
    try:
        sys.stdout.flush()
    except OSError as e:
        _stdout_failed(e)
    sys.exit(code)
