"""A NumPy model of the int8 screen's bound (docs/performance.md, "A cold query on structured data"): how many pairs
and 12 x 16 tiles of a sample would pass it, with each row quantised to int8 on its own scale as the library does,
and how that changes if both sets are first centred on their common mean and/or rotated by a Hadamard transform
(distances are unchanged by either). The margin is the bound's quantisation part, |x|·|dy| + |dx|·|y^|; the
float32 rounding terms, far smaller, are left out. Prints, per variant, the median largest |coordinate| of a row and
the shares of pairs and tiles that pass, beside the share of tiles the exact test passes.
usage: /usr/bin/python3 benchmarks/scripts/int8-bound-model.py DIR EPS [ROWS=1200] [TEXTS=1600] [SEED=0]
       (DIR holds images.npy and texts.npy; d a power of two for the rotation; needs python3-numpy, python3-scipy)"""
import sys

import numpy as np
from scipy.linalg import hadamard

folder, eps = sys.argv[1], float(sys.argv[2])
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 1200
texts = int(sys.argv[4]) if len(sys.argv) > 4 else 1600
rng = np.random.default_rng(int(sys.argv[5]) if len(sys.argv) > 5 else 0)
x = np.load(f"{folder}/images.npy").astype(np.float64)
y = np.load(f"{folder}/texts.npy").astype(np.float64)
x = x[rng.choice(len(x), rows, replace=False)]
y = y[rng.choice(len(y), texts, replace=False)]
d = x.shape[1]
threshold = (np.sum(x * x, 1)[:, None] + np.sum(y * y, 1)[None, :] - eps * eps) / 2  # x·y >= this: in F_eps


def quantised(a):
    scale = np.abs(a).max(1) / 127
    hat = np.round(a / scale[:, None]) * scale[:, None]
    return hat, np.linalg.norm(a - hat, axis=1)


def tiles(passing):
    return passing[: rows // 12 * 12, : texts // 16 * 16].reshape(rows // 12, 12, texts // 16, 16).any(axis=(1, 3))


def model(centre, rotate):
    mu = (x.mean(0) + y.mean(0)) / 2 if centre else np.zeros(d)
    rotation = hadamard(d) / np.sqrt(d) if rotate else np.eye(d)
    xc, yc = (x - mu) @ rotation.T, (y - mu) @ rotation.T
    (xh, ex), (yh, ey) = quantised(xc), quantised(yc)
    upper = xh @ yh.T + np.linalg.norm(xc, axis=1)[:, None] * ey[None, :] + ex[:, None] * np.linalg.norm(yh, axis=1)
    upper += (x @ mu)[:, None] + (y @ mu)[None, :] - mu @ mu  # x·y = (x - mu)·(y - mu) + x·mu + y·mu - mu·mu
    passing = upper >= threshold
    return np.median(np.abs(xc).max(1)), passing.mean(), tiles(passing).mean()


print(f"exact test: tiles passing {tiles(x @ y.T >= threshold).mean():.3f}")
for centre, rotate in [(False, False), (True, False), (False, True), (True, True)]:
    largest, pairs, tile_share = model(centre, rotate)
    name = {(False, False): "as stored", (True, False): "centred", (False, True): "rotated",
            (True, True): "centred and rotated"}[(centre, rotate)]
    print(f"{name:20s} largest |coordinate| {largest:.3f}   pairs passing {pairs:.4f}   tiles passing {tile_share:.3f}")
