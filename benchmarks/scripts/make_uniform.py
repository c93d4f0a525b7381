"""Independent uniform points of the unit sphere S^{D-1}: N Gaussian vectors per side, normalised in float64, saved as
float32 images.npy and texts.npy — the case where no bound can prune at a tolerance near the typical distance.
usage: make_uniform.py OUTDIR [N=20000] [D=512] [SEED=1]"""
import os, sys
import numpy as np

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
d = int(sys.argv[3]) if len(sys.argv) > 3 else 512
rng = np.random.default_rng(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
os.makedirs(out, exist_ok=True)
for name in ("images", "texts"):
    x = rng.standard_normal((n, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    np.save(f"{out}/{name}.npy", x.astype(np.float32))
