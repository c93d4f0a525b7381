#!/usr/bin/env bash
# How the pruned ε-join grows with N: planted data (make_planted.py N 512 32 64 64, ε = 1.0) and the real CLIP pairs
# tiled to N (make_tiled_clip.py, ε = 1.161, the best-F1 tolerance at N = 20,000) for N = 5k, 10k, 20k, 40k per side;
# ours with pruning on Auto (which does not prepare pruning below N·M·d = 2^34, e.g. at 5k), forced on (Always) and off
# (Never), and FAISS (faiss_range.py's IndexFlatL2.range_search), returning pairs; and a single query on a
# fresh process with Auto (cold: preparation, packing and JIT included). Writes WORK/scaling.csv.
# usage: benchmarks/scripts/pruning-scaling.sh WORK [PEERS_DIR]   (needs python3-numpy, python3-faiss; WORK needs ~1 GB)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$1; peers=${2:-benchmarks/peers}
dotnet build -c Release benchmarks/FiberProduct.Benchmarks > /dev/null
echo "data,n,epsilon,pairs,auto_seconds,always_seconds,always_first_eps_seconds,never_seconds,faiss_seconds,prune_k,tiles_skipped,auto_cold_seconds" > "$work/scaling.csv"
field() { grep -oE "(^| )$1=[^ ]+" <<< " $2" | head -n 1 | sed -E "s/.*=//; s/s$//" || true; }
for n in 5000 10000 20000 40000; do
  for data in planted clip; do
    dir="$work/$data-$n"; mkdir -p "$dir"
    if [ "$data" = planted ]; then eps=1.0; [ -f "$dir/images.npy" ] || /usr/bin/python3 benchmarks/scripts/make_planted.py "$dir" "$n" 512 32 64 64 > /dev/null
    else eps=1.161; [ -f "$dir/images.npy" ] || /usr/bin/python3 benchmarks/scripts/make_tiled_clip.py "$dir" "$n" > /dev/null; fi
    run() { dotnet run -c Release --no-build --project benchmarks/FiberProduct.Benchmarks -- join --images "$dir/images.npy" --texts "$dir/texts.npy" --eps "$eps" --mode pairs "$@"; }
    auto=$(run --pruning auto); pruned=$(run --pruning always); brute=$(run --pruning never); cold=$(run --pruning auto --repeat 0 --cold)
    faiss=$(/usr/bin/python3 "$peers/faiss_range.py" "$dir" "$eps" faiss | sed -nE 's/^faiss .*time=([0-9.]+)s.*/\1/p')
    line="$data,$n,$eps,$(field pairs "$pruned"),$(field seconds "$auto"),$(field seconds "$pruned"),$(field first_eps "$pruned"),$(field seconds "$brute"),$faiss,$(field prune_k "$pruned"),$(field skipped "$pruned"),$(field first_eps "$cold")"
    echo "$line" | tee -a "$work/scaling.csv"
  done
done
