#!/usr/bin/python3
"""An independent double-precision evaluation of `nope --model FILE --text FILE`, for its test.

    trained_reference.py check MODEL TEXT REPORT --trials T --seed S [--seq N] --tol X
        evaluates the same model on the same windows in Python floats (IEEE double), written from
        docs/model-format.md and docs/science.md ("Trained models"), not from the C code, and
        compares per layer and position the mean attn_var, hid_var and the loss with the C
        report's: prints the largest relative difference of each; exit 1 above X
    trained_reference.py perturb MODEL OUT --seed S
        MODEL with every LayerNorm gain drawn from 1 + N(0, 0.3^2) and every bias from N(0, 0.3^2),
        the CRC-32 made anew: a model whose gains and biases matter

Standard library only (no numpy): the test's models are tiny.
"""

import math
import random
import struct
import sys
import zlib

M64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
TAG_TEXT = 5


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def window_offset(seed, trial, length, seq):
    """docs/science.md: offset = below(u32(stream(seed, trial, TEXT, 0), 0), len - seq)."""
    key = mix((seed + GAMMA) & M64)
    key = mix(key ^ ((trial << 32) | TAG_TEXT))
    key = mix((key + GAMMA) & M64)  # index 0: (0 + 1) * GAMMA
    bits = mix((key + GAMMA) & M64) & 0xFFFFFFFF  # element 0: the low half of counter 0
    return (bits * (length - seq)) >> 32


def load(path):
    data = open(path, "rb").read()
    d, heads, layers, ffn, vocab, seq, act, eps_bits = struct.unpack_from("<6II I", data, 16)
    eps = struct.unpack("<f", struct.pack("<I", eps_bits))[0]
    vals = struct.unpack_from("<%df" % ((len(data) - 68) // 4), data, 64)
    at = [0]

    def take(n):
        v = vals[at[0] : at[0] + n]
        at[0] += n
        return list(v)

    def mat(r, c):
        flat = take(r * c)
        return [flat[i * c : (i + 1) * c] for i in range(r)]

    m = {"d": d, "heads": heads, "layers": layers, "ffn": ffn, "vocab": vocab, "seq": seq, "act": act, "eps": eps}
    m["E"] = mat(vocab, d)
    m["L"] = []
    for _ in range(layers):
        m["L"].append(
            {
                "g1": take(d),
                "b1": take(d),
                "wq": mat(d, d),
                "wk": mat(d, d),
                "wv": mat(d, d),
                "wo": mat(d, d),
                "g2": take(d),
                "b2": take(d),
                "w1": mat(d, ffn),
                "w2": mat(ffn, d),
            }
        )
    m["gf"], m["bf"] = take(d), take(d)
    return m, data


def ln(x, g, b, eps):
    n = len(x)
    mean = sum(x) / n
    var = sum((v - mean) ** 2 for v in x) / n
    r = 1.0 / math.sqrt(var + eps)
    return [g[i] * (x[i] - mean) * r + b[i] for i in range(n)]


def matvec(x, w):
    cols = len(w[0])
    return [sum(x[i] * w[i][j] for i in range(len(x))) for j in range(cols)]


def act(v, kind):
    if kind == 0:
        return max(v, 0.0)
    return 0.5 * v * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (v + 0.044715 * v**3)))


def var_unbiased(y):
    mean = sum(y) / len(y)
    return sum((v - mean) ** 2 for v in y) / (len(y) - 1)


def forward(m, tokens, seq):
    d, heads = m["d"], m["heads"]
    dh = d // heads
    x = [list(m["E"][t]) for t in tokens[:seq]]
    attn, hid = [], []
    for lay in m["L"]:
        h = [ln(v, lay["g1"], lay["b1"], m["eps"]) for v in x]
        q = [matvec(v, lay["wq"]) for v in h]
        k = [matvec(v, lay["wk"]) for v in h]
        vv = [matvec(v, lay["wv"]) for v in h]
        a_l, h_l = [], []
        for p in range(seq):
            o = [0.0] * d
            for hd in range(heads):
                sl = slice(hd * dh, (hd + 1) * dh)
                s = [sum(a * b for a, b in zip(q[p][sl], k[n][sl])) / math.sqrt(dh) for n in range(p + 1)]
                top = max(s)
                e = [math.exp(v - top) for v in s]
                tot = sum(e)
                for n in range(p + 1):
                    for i in range(dh):
                        o[hd * dh + i] += e[n] / tot * vv[n][hd * dh + i]
            y = matvec(o, lay["wo"])
            a_l.append(var_unbiased(y))
            x[p] = [x[p][i] + y[i] for i in range(d)]
        for p in range(seq):
            hh = [act(v, m["act"]) for v in matvec(ln(x[p], lay["g2"], lay["b2"], m["eps"]), lay["w1"])]
            f = matvec(hh, lay["w2"])
            x[p] = [x[p][i] + f[i] for i in range(d)]
            h_l.append(var_unbiased(x[p]))
        attn.append(a_l)
        hid.append(h_l)
    loss = []
    for p in range(seq):
        z = ln(x[p], m["gf"], m["bf"], m["eps"])
        logits = [sum(a * b for a, b in zip(z, row)) for row in m["E"]]
        top = max(logits)
        lse = top + math.log(sum(math.exp(v - top) for v in logits))
        loss.append((lse - logits[tokens[p + 1]]) / math.log(2.0))
    return attn, hid, loss


def read_report(path):
    rows = {}
    cols = None
    for line in open(path):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        if cols is None:
            cols = line.split(",")
            continue
        f = dict(zip(cols, line.split(",")))
        rows[(int(f["layer"]), int(f["pos"]))] = f
    return rows


def flag(args, name, default=None):
    if name in args:
        return args[args.index(name) + 1]
    if default is None:
        sys.exit("trained_reference: %s is required" % name)
    return default


def check(args):
    model_path, text_path, report_path = args[:3]
    trials, seed = int(flag(args, "--trials")), int(flag(args, "--seed"))
    tol = float(flag(args, "--tol"))
    m, _ = load(model_path)
    seq = int(flag(args, "--seq", str(m["seq"])))
    text = open(text_path, "rb").read()
    L = m["layers"]
    sa = [[0.0] * seq for _ in range(L)]
    sh = [[0.0] * seq for _ in range(L)]
    sl = [0.0] * seq
    for t in range(trials):
        off = window_offset(seed, t, len(text), seq)
        a, h, lo = forward(m, text[off : off + seq + 1], seq)
        for l in range(L):
            for p in range(seq):
                sa[l][p] += a[l][p]
                sh[l][p] += h[l][p]
        for p in range(seq):
            sl[p] += lo[p]
    rows = read_report(report_path)
    worst = {"attn_var": 0.0, "hid_var": 0.0, "loss": 0.0}
    for l in range(L):
        for p in range(seq):
            f = rows[(l + 1, p + 1)]
            for key, ref in (("attn_var", sa[l][p]), ("hid_var", sh[l][p]), ("loss", sl[p])):
                ref /= trials
                worst[key] = max(worst[key], abs(float(f[key]) - ref) / abs(ref))
    for key, v in worst.items():
        print("trained_reference: largest relative difference %s %.3g (tolerance %g)" % (key, v, tol))
    if max(worst.values()) > tol:
        sys.exit(1)


def perturb(args):
    src, out = args[:2]
    rnd = random.Random(int(flag(args, "--seed")))
    m, data = load(src)
    data = bytearray(data)
    d, ffn, vocab = m["d"], m["ffn"], m["vocab"]
    at = 64 + 4 * vocab * d

    def fill(count, base):
        nonlocal at
        for i in range(count):
            struct.pack_into("<f", data, at + 4 * i, base + rnd.gauss(0.0, 0.3))
        at += 4 * count

    for _ in range(m["layers"]):
        fill(d, 1.0)
        fill(d, 0.0)
        at += 4 * 4 * d * d
        fill(d, 1.0)
        fill(d, 0.0)
        at += 4 * 2 * d * ffn
    fill(d, 1.0)
    fill(d, 0.0)
    struct.pack_into("<I", data, len(data) - 4, zlib.crc32(bytes(data[:-4])))
    open(out, "wb").write(bytes(data))


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("check", "perturb"):
        sys.exit(__doc__)
    (check if sys.argv[1] == "check" else perturb)(sys.argv[2:])
