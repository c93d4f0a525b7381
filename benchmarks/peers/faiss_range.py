"""The peers of the ε-join on DIR/images.npy × DIR/texts.npy: FAISS IndexFlatL2.range_search (it takes the squared
radius and keeps distances below it), a blocked NumPy float64 join, and scikit-learn's brute-force radius_neighbors
(up to 20,000 rows). One line per peer: NAME pairs=N time=Ts (timing covers the index build and the search), after a
comment line naming the OpenBLAS kernels in use.
usage: python3 benchmarks/peers/faiss_range.py DIR EPS [PEERS=faiss,numpy,sklearn]
       (Debian: python3-numpy python3-faiss python3-sklearn)"""
import ctypes
import os
import sys
import time


def choose_blas_kernels():
    """OpenBLAS 0.3.21 (Debian 12) does not know recent Intel processors and falls back to its generic SSE3 kernels
    ("Prescott"): FAISS then ran 3.4 times slower here (7.6 s against 2.2 s, 20,000 x 20,000 x 512). Unless the caller
    chose, pick the newest kernel family the processor's flags allow. Must run before NumPy loads OpenBLAS."""
    if "OPENBLAS_CORETYPE" in os.environ:
        return
    flags = set()
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    if {"avx512f", "avx512bw", "avx512vl", "avx512_bf16"} <= flags:
        os.environ["OPENBLAS_CORETYPE"] = "Cooperlake"
    elif {"avx512f", "avx512bw", "avx512vl"} <= flags:
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
    elif {"avx2", "fma"} <= flags:
        os.environ["OPENBLAS_CORETYPE"] = "Haswell"


def blas_kernels():
    """The kernel family OpenBLAS runs (None when it is not the BLAS loaded)."""
    try:
        library = ctypes.CDLL("libopenblas.so.0")
        library.openblas_get_corename.restype = ctypes.c_char_p
        return library.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None


choose_blas_kernels()
import numpy as np  # noqa: E402  (after the BLAS choice)

folder, eps = sys.argv[1], float(sys.argv[2])
peers = sys.argv[3].split(",") if len(sys.argv) > 3 else ["faiss", "numpy", "sklearn"]
images, texts = np.load(f"{folder}/images.npy"), np.load(f"{folder}/texts.npy")
print(f"# OpenBLAS kernels: {blas_kernels()}", flush=True)
if "faiss" in peers:
    import faiss  # not timed: loading the library is not the search


def report(name, run):
    start = time.perf_counter()
    pairs = run()
    print(f"{name:10s} pairs={pairs:>12d} time={time.perf_counter() - start:.3f}s", flush=True)


def with_faiss():
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
