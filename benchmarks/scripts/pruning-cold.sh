#!/usr/bin/env bash
# A single query on a fresh process, pruned (auto) and unpruned, against FAISS IndexFlatL2.range_search on the same
# files in one script: what a user who asks one question pays, preparation included (principal axes, k-d order, packing,
# JIT). Runs RUNS rounds, each one cold `join --pruning auto`, one cold `join --pruning never` and faiss_range.py, and
# prints the medians and their ratios, and the median of the per-round ratios pruned / plain (the two runs of a round
# are adjacent, so slow drifts of a shared machine cancel). DIR holds images.npy and texts.npy.
# usage: benchmarks/scripts/pruning-cold.sh DIR EPS [RUNS=5] [PEERS_DIR]   (needs python3-faiss)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1; eps=$2; runs=${3:-5}; peers=${4:-benchmarks/peers}
dotnet build -c Release benchmarks/FiberProduct.Benchmarks > /dev/null
join() { dotnet run -c Release --no-build --project benchmarks/FiberProduct.Benchmarks -- join --images "$dir/images.npy" --texts "$dir/texts.npy" --eps "$eps" --mode pairs --repeat 0 --cold "$@"; }
auto=(); never=(); faiss=(); plan=""
for r in $(seq "$runs"); do
  line=$(join --pruning auto); auto+=("$(sed -E 's/.*first_eps=([0-9.]+).*/\1/' <<< "$line")"); plan=$(sed -E 's/.*(pairs=[0-9]+).*(prune_k=.*)/\1 \2/' <<< "$line")
  line=$(join --pruning never); never+=("$(sed -E 's/.*first_eps=([0-9.]+).*/\1/' <<< "$line")")
  line=$(/usr/bin/python3 "$peers/faiss_range.py" "$dir" "$eps" faiss | grep '^faiss'); faiss+=("$(sed -E 's/.*time=([0-9.]+)s.*/\1/' <<< "$line")")
done
echo "last pruned run: $plan"
python3 - "${auto[*]}" "${never[*]}" "${faiss[*]}" <<'PY'
import statistics, sys
auto, never, faiss = ([float(x) for x in a.split()] for a in sys.argv[1:4])
ma, mn, mf = map(statistics.median, (auto, never, faiss))
print(f"cold pruned {sorted(auto)}  cold plain {sorted(never)}  FAISS {sorted(faiss)}")
print(f"medians: pruned {ma:.3f}s  plain {mn:.3f}s  FAISS {mf:.3f}s   FAISS / pruned = {mf / ma:.2f}   FAISS / plain = {mf / mn:.2f}   pruned / plain = {ma / mn:.3f}")
rounds = [a / n for a, n in zip(auto, never)]
print(f"per-round pruned / plain {[round(r, 3) for r in rounds]}  median {statistics.median(rounds):.3f}")
PY
