#!/usr/bin/env bash
# The int8 screen (issue 19) against FAISS IndexFlatL2.range_search on the same files, cold and warm, in one script.
# Each of RUNS rounds runs: one cold query with the screen (`join --repeat 0 --cold`, a fresh process: JIT, packing,
# quantisation and the pruning plan included), one cold query without it (`--screen off`), a warm instance with and
# without it (`--repeat 3`: the median of 3 queries after a first at the same ε), and FAISS (index build and
# range_search, by benchmarks/peers/faiss_range.py, which picks OpenBLAS kernels for the processor). Prints the
# medians over the rounds and the ratios FAISS / ours.
# All of ours return pairs with pruning auto (the default). DIR holds images.npy and texts.npy.
# usage: benchmarks/scripts/screen-vs-faiss.sh DIR EPS [RUNS=5]   (needs python3-faiss)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1; eps=$2; runs=${3:-5}
dotnet build -c Release benchmarks/FiberProduct.Benchmarks > /dev/null
join() { dotnet run -c Release --no-build --project benchmarks/FiberProduct.Benchmarks -- join --images "$dir/images.npy" --texts "$dir/texts.npy" --eps "$eps" --mode pairs "$@"; }
field() { sed -E "s/(^|.* )$1= *([0-9.]+).*/\2/" <<< "$2"; }
faiss() { /usr/bin/python3 benchmarks/peers/faiss_range.py "$dir" "$eps" faiss | grep '^faiss'; }
cold_on=(); cold_off=(); warm_on=(); warm_off=(); peer=()
for r in $(seq "$runs"); do
  line=$(join --repeat 0 --cold); cold_on+=("$(field first_eps "$line")"); pairs=$(field pairs "$line")
  line=$(join --repeat 0 --cold --screen off); cold_off+=("$(field first_eps "$line")")
  [[ $(field pairs "$line") == "$pairs" ]] || { echo "pair counts differ: $pairs / $line"; exit 1; }
  line=$(join --repeat 3); warm_on+=("$(field seconds "$line")")
  line=$(join --repeat 3 --screen off); warm_off+=("$(field seconds "$line")")
  line=$(faiss); peer+=("$(field time "$line")"); faiss_pairs=$(field pairs "$line")
  echo "round $r: ours cold ${cold_on[-1]} s (off ${cold_off[-1]}), warm ${warm_on[-1]} s (off ${warm_off[-1]}), FAISS ${peer[-1]} s; pairs ours $pairs, FAISS $faiss_pairs"
done
python3 - "${cold_on[*]}" "${cold_off[*]}" "${warm_on[*]}" "${warm_off[*]}" "${peer[*]}" <<'PY'
import statistics, sys
cold_on, cold_off, warm_on, warm_off, faiss = ([float(x) for x in a.split()] for a in sys.argv[1:6])
m = {k: statistics.median(v) for k, v in dict(cold_on=cold_on, cold_off=cold_off, warm_on=warm_on,
                                             warm_off=warm_off, faiss=faiss).items()}
print("medians: " + "  ".join(f"{k} {v:.3f}s" for k, v in m.items()))
print(f"FAISS / ours: cold {m['faiss'] / m['cold_on']:.2f} (screen off {m['faiss'] / m['cold_off']:.2f})   "
      f"warm {m['faiss'] / m['warm_on']:.2f} (screen off {m['faiss'] / m['warm_off']:.2f})")
PY
