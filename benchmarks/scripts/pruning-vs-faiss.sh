#!/usr/bin/env bash
# Exact pruning against FAISS IndexFlatL2.range_search and against our own brute-force kernel, on the same files in
# one script. DIR holds images.npy and texts.npy (make_planted.py, make_tiled_clip.py, or uniform unit vectors).
# Prints our times with pruning (auto) and without (never), for Pairs and Count, FAISS's time from faiss_range.py,
# the ratios, the head dimension the cost model chose and the fraction of tiles (distance work) skipped.
# usage: benchmarks/scripts/pruning-vs-faiss.sh DIR EPS [PEERS_DIR]   (needs python3-faiss)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1; eps=$2; peers=${3:-benchmarks/peers}
dotnet build -c Release benchmarks/FiberProduct.Benchmarks > /dev/null
run() { dotnet run -c Release --no-build --project benchmarks/FiberProduct.Benchmarks -- join --images "$dir/images.npy" --texts "$dir/texts.npy" --eps "$eps" "$@"; }
pruned_pairs=$(run --mode pairs --pruning auto); echo "pruned     $pruned_pairs"
pruned_count=$(run --mode count --pruning auto); echo "pruned     $pruned_count"
brute_pairs=$(run --mode pairs --pruning never); echo "brute      $brute_pairs"
brute_count=$(run --mode count --pruning never); echo "brute      $brute_count"
peer=$(/usr/bin/python3 "$peers/faiss_range.py" "$dir" "$eps" | grep '^faiss'); echo "$peer"
field() { sed -E "s/.*[ ^]$1=([0-9.]+)s?.*/\1/" <<< " $2"; }
python3 - "$(field time "$peer")" "$(field seconds "$pruned_pairs")" "$(field first_eps "$pruned_pairs")" "$(field seconds "$pruned_count")" \
  "$(field seconds "$brute_pairs")" "$(field seconds "$brute_count")" "$(field skipped "$pruned_pairs" 2>/dev/null || echo 0)" <<'PY'
import sys
faiss, pairs, pairs_first, count, brute_pairs, brute_count, skipped = sys.argv[1:]
faiss, pairs, pairs_first, count, brute_pairs, brute_count = map(float, (faiss, pairs, pairs_first, count, brute_pairs, brute_count))
skipped = float(skipped) if skipped.replace(".", "").isdigit() else 0.0
print(f"FAISS / pruned pairs = {faiss / pairs:.2f} (first query at this eps: {faiss / pairs_first:.2f})   FAISS / pruned count = {faiss / count:.2f}   "
      f"brute / pruned: pairs {brute_pairs / pairs:.2f}, count {brute_count / count:.2f}   tiles skipped {skipped:.1%}")
PY
