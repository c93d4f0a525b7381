"""Reads an out-of-core join's folder with SciPy and compares it with an in-memory pair file (docs/scaling.md).

Usage: python3 benchmarks/scripts/check-shards.py SHARDS_DIR IN_MEMORY.npz
Every shard must load with scipy.sparse.load_npz, match its manifest record (shape, pair count, row_start,
column_start), and scipy.sparse.bmat of the grid must equal the in-memory CSR arrays exactly.
"""
import json
import sys

import numpy as np
import scipy.sparse as sp

folder, reference = sys.argv[1], sys.argv[2]
manifest = json.load(open(f"{folder}/manifest.json"))
assert manifest["complete"], "the join has not completed"
grid = [[None] * manifest["textBlocks"] for _ in range(manifest["imageBlocks"])]
for block in manifest["blocks"]:
    shard = sp.load_npz(f"{folder}/{block['file']}")
    assert shard.shape == (block["imageRows"], block["textRows"]) and shard.nnz == block["pairs"], block
    arrays = np.load(f"{folder}/{block['file']}")
    assert arrays["row_start"][0] == block["imageStart"] and arrays["column_start"][0] == block["textStart"], block
    grid[block["image"]][block["text"]] = shard
whole = sp.bmat(grid, format="csr")
expected = sp.load_npz(reference)
same = (whole.shape == expected.shape and np.array_equal(whole.indptr, expected.indptr)
        and np.array_equal(whole.indices, expected.indices) and np.array_equal(whole.data, expected.data))
print(f"{len(manifest['blocks'])} shards, {whole.nnz} pairs; equal to {reference}: {same}")
sys.exit(0 if same else 1)
