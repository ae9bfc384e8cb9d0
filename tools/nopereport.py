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
    layer,pos,attn_var,attn_se,attn_theory,hid_var,hid_se[,more columns]
    one row per (layer, pos)
    # checksum fnv1a64=<16 hex digits>      (FNV-1a 64 of every byte before this line)
Other comment lines (e.g. "# saturations=0") may appear and are kept but not interpreted.
Columns are found by header name, so columns added after hid_se are harmless.
"""

import math
import re
from decimal import Decimal, InvalidOperation

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


def fmt_dec(text: str) -> str:
    """A decimal number as plain digits without exponent or trailing zeros: 1e-5 -> 0.00001."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError("not a decimal number: %r" % text)
    if not d.is_finite():
        raise ValueError("not a finite number: %r" % text)
    s = format(d.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


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


class Report:
    """A parsed report. Attributes:
    text      the exact report text
    mode      e.g. "f32", "fixed", "reference"
    config    dict of the config line's key=value strings (in order)
    theory    dict of the theory line (layer, c, formula) or {}
    slopes    {layer: {"attn": float, "hid": float}}
    ratios    {layer: float}
    comments  every comment line other than magic and checksum
    columns   header names
    cols      {name: list of floats (nan for empty cells)}
    layers    number of layers (max layer seen), seq (max pos seen)
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
        self.slopes = {}
        self.ratios = {}
        self.comments = []
        self.columns = None
        raw_rows = []
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
                elif f[0] == "slope":
                    kv = _kv(f[1:])
                    try:
                        self.slopes[int(kv["layer"])] = {k: float(kv[k]) for k in ("attn", "hid") if k in kv}
                    except (KeyError, ValueError):
                        raise ReportError("%s:%d: malformed slope line" % (source, i))
                elif f[0] == "ratio":
                    kv = _kv(f[1:])
                    try:
                        self.ratios[int(kv["layer"])] = float(kv["mean"])
                    except (KeyError, ValueError):
                        raise ReportError("%s:%d: malformed ratio line" % (source, i))
            elif self.columns is None:
                self.columns = ln.split(",")
                missing = [c for c in REQUIRED_COLUMNS if c not in self.columns]
                if missing:
                    raise ReportError("%s:%d: header lacks column(s) %s" % (source, i, ",".join(missing)))
            else:
                cells = ln.split(",")
                if len(cells) != len(self.columns):
                    raise ReportError("%s:%d: %d cells, header has %d" % (source, i, len(cells), len(self.columns)))
                try:
                    raw_rows.append([float(c) if c != "" else math.nan for c in cells])
                except ValueError:
                    raise ReportError("%s:%d: a cell is not a number" % (source, i))
        if self.columns is None:
            raise ReportError("%s: no column header line" % source)
        if not raw_rows:
            raise ReportError("%s: no data rows" % source)
        self.cols = {c: [r[j] for r in raw_rows] for j, c in enumerate(self.columns)}
        self.cols["layer"] = [int(v) for v in self.cols["layer"]]
        self.cols["pos"] = [int(v) for v in self.cols["pos"]]
        self.layers = max(self.cols["layer"])
        self.seq = max(self.cols["pos"])
        if len(raw_rows) != self.layers * self.seq:
            raise ReportError("%s: %d rows, expected layers*seq = %d" % (source, len(raw_rows), self.layers * self.seq))

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
        keys = ("d", "heads", "layers", "ffn", "seq", "sigma", "sigma_in", "act", "input", "trials")
        parts = ["%s=%s" % (k, c[k]) for k in keys if k in c]
        if c.get("input") == "tokens" and "vocab" in c:
            parts.insert(parts.index("input=tokens") + 1, "vocab=%s" % c["vocab"])
        return "mode=%s  " % self.mode + " ".join(parts)


def read(path: str) -> Report:
    """Parse a report from a file path ('-' is stdin); ReportError on anything else."""
    import sys
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
            source = "stdin"
        else:
            with open(path, "rb") as fh:
                data = fh.read()
            source = path
    except OSError as e:
        raise ReportError("%s: %s" % (path, e.strerror))
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise ReportError("%s: not a nope-variance report (not ASCII text)" % source)
    return Report(text, source)


def loglog_slope(pos, val) -> float:
    """Least-squares slope of log(val) against log(pos) over every position."""
    xs = [math.log(p) for p, v in zip(pos, val) if v > 0]
    ys = [math.log(v) for v in val if v > 0]
    n = len(xs)
    if n < 2:
        return math.nan
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    return sxy / sxx if sxx > 0 else math.nan
