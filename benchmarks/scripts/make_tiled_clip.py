"""Tile the real CLIP pairs of COCO-CLIP-500 up to N x N: N / 500 copies of every (image, caption) pair, each copy
moved by seeded Gaussian noise of norm about NOISE and put back on the unit sphere, rows shuffled by one seeded
permutation (the same for both sides, so row i of each is still a pair). Writes images.npy, texts.npy and base.npy
(the source pair of every row: rows with the same base are copies of one COCO pair).
usage: make_tiled_clip.py OUTDIR [N=20000] [NOISE=0.05] [SEED=1] [SOURCE=src/FiberProduct.Datasets/Data/coco-clip-500/features_clip.npy]
       [DTYPE=float32 (or float64: the values before rounding)]"""
import os, sys
import numpy as np

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
noise = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
source = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] != "-" else os.path.join(os.path.dirname(__file__), "../../src/FiberProduct.Datasets/Data/coco-clip-500/features_clip.npy")
dtype = sys.argv[6] if len(sys.argv) > 6 else "float32"
pairs = np.load(source).astype(np.float64)          # (2, 500, 512)
m, d = pairs.shape[1], pairs.shape[2]
rng = np.random.default_rng(seed)
base = np.arange(n) % m
order = rng.permutation(n)
base = base[order]
os.makedirs(out, exist_ok=True)
for side, name in ((0, "images"), (1, "texts")):
    x = pairs[side][base] + rng.standard_normal((n, d)) * (noise / np.sqrt(d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    np.save(f"{out}/{name}.npy", x.astype(dtype))
np.save(f"{out}/base.npy", base.astype(np.int32))
print(f"{out}: {n} pairs in R^{d}, {n // m} noisy copies (noise norm {noise}) of each of {m} COCO pairs")
