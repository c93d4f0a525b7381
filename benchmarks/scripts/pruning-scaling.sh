#!/usr/bin/env bash
# How the pruned ε-join grows with N: planted data (make_planted.py N 512 32 64 64, ε = 1.0) and the real CLIP pairs
# tiled to N (make_tiled_clip.py, ε = 1.161, the best-F1 tolerance at N = 20,000) for N = 5k, 10k, 20k, 40k per side
# (or the N given); ours with pruning on Auto (which does not prepare pruning below N·M·d = 2^34, e.g. at 5k), forced
# on (Always) and off (Never), and FAISS (faiss_range.py's IndexFlatL2.range_search), returning pairs; and a single
# query on a fresh process with Auto (cold: preparation, packing and JIT included). Steady times are the median of
# REPEAT queries (default 3) after a first. The peak resident memory (GNU time's maximum RSS) of the cold query and of
# FAISS's process is recorded too. Appends to WORK/scaling.csv (written with its header when absent).
# usage: [REPEAT=R] benchmarks/scripts/pruning-scaling.sh WORK [PEERS_DIR] [N ...]
#        (needs python3-numpy, python3-faiss, GNU time; WORK needs ~1 GB up to 40k, ~4 GB more at 100k)
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$1; peers=${2:-benchmarks/peers}; sizes=("${@:3}"); [ ${#sizes[@]} -gt 0 ] || sizes=(5000 10000 20000 40000)
repeat=${REPEAT:-3}
dotnet build -c Release benchmarks/FiberProduct.Benchmarks > /dev/null
[ -f "$work/scaling.csv" ] || echo "data,n,epsilon,pairs,auto_seconds,always_seconds,always_first_eps_seconds,never_seconds,faiss_seconds,prune_k,tiles_skipped,auto_cold_seconds,auto_cold_rss_mb,faiss_rss_mb" > "$work/scaling.csv"
peak() { /usr/bin/time -f "rss_kb=%M" "$@" 2>&1; }  # the command's output, then its peak RSS
field() { grep -oE "(^| )$1=[^ ]+" <<< " $2" | head -n 1 | sed -E "s/.*=//; s/s$//" || true; }
mb() { echo $(( $(field rss_kb "$1") / 1024 )); }
for n in "${sizes[@]}"; do
  for data in planted clip; do
    dir="$work/$data-$n"; mkdir -p "$dir"
    if [ "$data" = planted ]; then eps=1.0; [ -f "$dir/images.npy" ] || /usr/bin/python3 benchmarks/scripts/make_planted.py "$dir" "$n" 512 32 64 64 > /dev/null
    else eps=1.161; [ -f "$dir/images.npy" ] || /usr/bin/python3 benchmarks/scripts/make_tiled_clip.py "$dir" "$n" > /dev/null; fi
    join=(dotnet run -c Release --no-build --project benchmarks/FiberProduct.Benchmarks -- join --images "$dir/images.npy" --texts "$dir/texts.npy" --eps "$eps" --mode pairs)
    run() { "${join[@]}" "$@"; }
    auto=$(run --pruning auto --repeat "$repeat"); pruned=$(run --pruning always --repeat "$repeat")
    brute=$(run --pruning never --repeat "$repeat"); cold=$(peak "${join[@]}" --pruning auto --repeat 0 --cold)
    peer=$(peak /usr/bin/python3 "$peers/faiss_range.py" "$dir" "$eps" faiss)
    faiss=$(sed -nE 's/^faiss .*time=([0-9.]+)s.*/\1/p' <<< "$peer")
    line="$data,$n,$eps,$(field pairs "$pruned"),$(field seconds "$auto"),$(field seconds "$pruned"),$(field first_eps "$pruned"),$(field seconds "$brute"),$faiss,$(field prune_k "$pruned"),$(field skipped "$pruned"),$(field first_eps "$cold"),$(mb "$cold"),$(mb "$peer")"
    echo "$line" | tee -a "$work/scaling.csv"
  done
done
