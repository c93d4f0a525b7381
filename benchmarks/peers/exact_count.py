"""The exact |F_ε| of the ε-join, independently of FiberProduct: candidates from a float64 join with a generous band,
each candidate's squared distance recomputed from the differences, and those within a relative 1e-9 of ε² decided in
exact rational arithmetic (fractions.Fraction of the stored float values), as the library's contract defines F_ε.
usage: python3 benchmarks/peers/exact_count.py IMAGES.npy TEXTS.npy EPS [EPS ...]
       python3 benchmarks/peers/exact_count.py PAIRS.npy EPS [EPS ...]          (a (2, N, d) array)"""
import sys
from fractions import Fraction

import numpy as np

args = sys.argv[1:]
if np.load(args[0], mmap_mode="r").ndim == 3:
    pairs = np.load(args[0])
    images, texts, tolerances = pairs[0], pairs[1], args[1:]
else:
    images, texts, tolerances = np.load(args[0]), np.load(args[1]), args[2:]
tolerances = [float(e) for e in tolerances]
largest = max(tolerances)
x_all, y_all = images.astype(np.float64), texts.astype(np.float64)   # widening is exact
y_norms = np.einsum("ij,ij->i", y_all, y_all)
counts = [0] * len(tolerances)
for start in range(0, len(x_all), 1024):
    x = x_all[start:start + 1024]
    squared = np.einsum("ij,ij->i", x, x)[:, None] + y_norms[None, :] - 2.0 * (x @ y_all.T)
    rows, cols = np.nonzero(squared <= largest * largest * (1 + 1e-6) + 1e-12)
    direct = ((x[rows] - y_all[cols]) ** 2).sum(axis=1)
    for k, eps in enumerate(tolerances):
        e2 = eps * eps
        near = np.abs(direct - e2) <= 1e-9 * max(e2, 1e-300)
        counts[k] += int(np.count_nonzero((direct <= e2) & ~near))
        for r, c in zip(rows[near], cols[near]):
            # float(): a NumPy float32 is no Python float, and Fraction refuses it; the widening is exact.
            exact = sum((Fraction(float(a)) - Fraction(float(b))) ** 2 for a, b in zip(images[start + r], texts[c]))
            counts[k] += exact <= Fraction(eps) ** 2
for eps, n in zip(tolerances, counts):
    print(f"eps={eps} pairs={n}")
