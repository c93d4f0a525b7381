"""The reference reader for the round-trip tests: reads one dataset with h5py and prints it as JSON
{"dtype": NumPy dtype, "shape": [...], "hex": little-endian bytes of the values, row-major}.
Usage: python3 read_hdf5.py FILE DATASET
"""
import json
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    data = f[sys.argv[2]][()]
little = data.astype(data.dtype.newbyteorder("<"))
print(json.dumps({"dtype": str(data.dtype), "shape": list(data.shape), "hex": np.ascontiguousarray(little).tobytes().hex()}))
