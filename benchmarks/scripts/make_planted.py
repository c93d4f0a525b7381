"""Planted multimodal embeddings: Z = Zs (+) ZI (+) ZT with a modality gap, rows on the unit sphere, row i of each
side a pair. Writes images.npy, texts.npy (DTYPE float32 or float64) and truth.npz (the planted bases).
usage: make_planted.py OUTDIR [N=20000] [D=512] [KS=32] [KI=64] [KT=64] [SEED=0] [DTYPE=float32]"""
import os, sys
import numpy as np

out = sys.argv[1]
n, d, ks, ki, kt, seed = (int(a) for a in (sys.argv[2:8] + ["20000", "512", "32", "64", "64", "0"][len(sys.argv) - 2:]))
dtype = sys.argv[8] if len(sys.argv) > 8 else "float32"
rng = np.random.default_rng(seed)
q, _ = np.linalg.qr(rng.standard_normal((d, ks + ki + kt + 2)))
shared, own_i, own_t, gap = q[:, :ks], q[:, ks:ks + ki], q[:, ks + ki:ks + ki + kt], q[:, -2:]
s = rng.standard_normal((n, ks))
images = s @ shared.T + 0.6 * rng.standard_normal((n, ki)) @ own_i.T + 1.5 * gap[:, 0] + 0.02 * rng.standard_normal((n, d))
texts = s @ shared.T + 0.6 * rng.standard_normal((n, kt)) @ own_t.T + 1.5 * gap[:, 1] + 0.02 * rng.standard_normal((n, d))
os.makedirs(out, exist_ok=True)
for name, x in (("images", images), ("texts", texts)):
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    np.save(f"{out}/{name}.npy", x.astype(dtype))
np.savez(f"{out}/truth.npz", Bs=shared, Bi=own_i, Bt=own_t, gap=gap)
print(f"{out}: {n} planted pairs in R^{d} ({dtype}), shared {ks}, image {ki}, text {kt}")
