"""The peers of the ε-join on DIR/images.npy × DIR/texts.npy: FAISS IndexFlatL2.range_search (it takes the squared
radius and keeps distances below it), a blocked NumPy float64 join, and scikit-learn's brute-force radius_neighbors
(up to 20,000 rows). One line per peer: NAME pairs=N time=Ts (timing covers the index build and the search).
usage: python3 benchmarks/peers/faiss_range.py DIR EPS [PEERS=faiss,numpy,sklearn]
       (Debian: python3-numpy python3-faiss python3-sklearn)"""
import sys
import time

import numpy as np

folder, eps = sys.argv[1], float(sys.argv[2])
peers = sys.argv[3].split(",") if len(sys.argv) > 3 else ["faiss", "numpy", "sklearn"]
images, texts = np.load(f"{folder}/images.npy"), np.load(f"{folder}/texts.npy")


def report(name, run):
    start = time.perf_counter()
    pairs = run()
    print(f"{name:10s} pairs={pairs:>12d} time={time.perf_counter() - start:.3f}s", flush=True)


def with_faiss():
    import faiss
    index = faiss.IndexFlatL2(texts.shape[1])
    index.add(np.ascontiguousarray(texts, dtype=np.float32))
    limits, _, _ = index.range_search(np.ascontiguousarray(images, dtype=np.float32), eps * eps)
    return int(limits[-1])


def with_numpy(block=4096):
    y = texts.astype(np.float64)
    y_norms = np.einsum("ij,ij->i", y, y)
    found = 0
    for start in range(0, len(images), block):
        x = images[start:start + block].astype(np.float64)
        squared = np.einsum("ij,ij->i", x, x)[:, None] + y_norms[None, :] - 2.0 * (x @ y.T)
        found += int(np.count_nonzero(squared <= eps * eps))
    return found


def with_sklearn():
    from sklearn.neighbors import NearestNeighbors
    neighbours = NearestNeighbors(radius=eps, algorithm="brute").fit(texts)
    return int(sum(len(row) for row in neighbours.radius_neighbors(images, return_distance=False)))


if "faiss" in peers:
    report("faiss", with_faiss)
if "numpy" in peers:
    report("numpy", with_numpy)
if "sklearn" in peers and len(images) <= 20000:
    report("sklearn", with_sklearn)
