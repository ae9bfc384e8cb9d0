#!/usr/bin/python3
"""Writes an English-like text for the trainer's tests: sentences from a small grammar, drawn by a
seeded generator, so every machine makes the same bytes without any file from a package.
Prints the unigram entropy of the held-out part (the bytes after floor(0.9 n), as nope-train
splits) in bits per byte on stdout.   usage: train_text.py OUT BYTES"""
import math
import random
import sys
from collections import Counter

out, size = sys.argv[1], int(sys.argv[2])
rng = random.Random(10)
subjects = ["the cat", "a dog", "my friend", "the old man", "a small bird", "the teacher", "her brother"]
verbs = ["sees", "likes", "finds", "wants", "takes", "hears", "makes"]
objects = ["the ball", "a red apple", "some water", "the green door", "a long letter", "the warm bread"]
tails = [".", " today.", " in the garden.", " again.", " before dinner."]
text = []
n = 0
while n < size:
    s = " ".join([rng.choice(subjects), rng.choice(verbs), rng.choice(objects)]) + rng.choice(tails)
    s = s[0].upper() + s[1:] + ("\n" if rng.random() < 0.2 else " ")
    text.append(s)
    n += len(s)
data = "".join(text)[:size].encode()
with open(out, "wb") as f:
    f.write(data)
held = data[size // 10 * 9 + size % 10 * 9 // 10:]
counts = Counter(held)
print("%.6f" % -sum(c / len(held) * math.log2(c / len(held)) for c in counts.values()))
