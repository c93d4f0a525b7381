"""Writes the HDF5 fixtures of tests/FiberProduct.Tests/Formats with the reference HDF5 stack: h5py over libhdf5.

The values are those of values.mjs (and of the C# tests' FormatFixtures.Value): exact binary fractions, with the
special values a careless reader loses in row 0. Run with Debian's python3-h5py and python3-numpy:
    /usr/bin/python3 make_fixtures.py     (in this folder; the files are committed, this only regenerates them)
"""
import pathlib

import h5py
import numpy as np

N, D = 5, 4
HERE = pathlib.Path(__file__).resolve().parent


def value(i, k, m, wide):
    if i == 0:
        specials = [-0.0, 2.0**-1074, 1e300, 1 / 3] if wide else [-0.0, 2.0**-149, 3.4028234663852886e38, -(2.0**-126)]
        return specials[k] * (1 if m == 0 else -1)
    return ((i * 37 + k * 11 + m * 5) % 23 - 11) / 16


def rows(m, wide, n=N, d=D):
    return np.array([[value(i, k, m, wide) for k in range(d)] for i in range(n)], dtype=np.float64 if wide else np.float32)


# Good datasets: contiguous float32 at the root; float64 pairs in a group; chunked and deflated; big-endian.
with h5py.File(HERE / "embeddings.h5", "w") as f:
    f.create_dataset("embeddings", data=rows(0, False))
    clip = f.create_group("clip")
    clip.create_dataset("image", data=rows(0, True))
    clip.create_dataset("text", data=rows(1, True))
    f.create_dataset("chunked", data=rows(0, False), chunks=(2, D), compression="gzip", compression_opts=4, shuffle=True)
    f.create_dataset("big_endian", data=rows(1, True).astype(">f8"))
    f.create_dataset("empty", data=np.zeros((0, D), dtype=np.float32))
    f["embeddings"].attrs["note"] = "float32 (N, d)"

# Datasets that are not embeddings, one defect each; the tests expect each to fail naming file and dataset.
with h5py.File(HERE / "bad_datasets.h5", "w") as f:
    f.create_dataset("ints", data=np.arange(N * D, dtype=np.int32).reshape(N, D))
    f.create_dataset("vector", data=rows(0, False)[0])
    f.create_dataset("cube", data=np.zeros((2, N, D), dtype=np.float32))
    nan = rows(0, False)
    nan[3, 2] = np.nan
    f.create_dataset("nan", data=nan)
    inf = rows(0, True)
    inf[1, 0] = -np.inf
    f.create_dataset("infinity", data=inf)
    f.create_dataset("half", data=rows(1, False)[1:].astype(np.float16))
    f.create_dataset("strings", data=np.array([b"a", b"b"]))
    f.create_group("group")

for name in ("embeddings.h5", "bad_datasets.h5"):
    print(name, (HERE / name).stat().st_size, "bytes")
