#!/usr/bin/env bash
# What keeping float64 costs (issue 13): the same data as float32 and as float64 files, joined in one script by the
# join command in alternating rounds (a steady query: the median of 3 after a first one at the same ε; and one cold
# query on a fresh process), pair sets compared. DIR32 and DIR64 each hold images.npy and texts.npy — make them with
#   python3 benchmarks/scripts/make_planted.py DIR 20000 512 32 64 64 0 float64   (and … float32)
#   python3 benchmarks/scripts/make_tiled_clip.py DIR 20000 0.05 1 - float64       (and … float32)
# usage: benchmarks/scripts/float64-cost.sh DIR32 DIR64 EPS [RUNS=3] [MODE=pairs]   (needs Debian's python3-numpy)
set -euo pipefail
cd "$(dirname "$0")/../.."
d32=$1; d64=$2; eps=$3; runs=${4:-3}; mode=${5:-pairs}
dotnet build -c Release benchmarks/FiberProduct.Benchmarks > /dev/null
join() { dotnet run -c Release --no-build --project benchmarks/FiberProduct.Benchmarks -- join --images "$1/images.npy" --texts "$1/texts.npy" --eps "$eps" --mode "$mode" "${@:2}"; }
s32=(); s64=(); c32=(); c64=()
for r in $(seq "$runs"); do
  a=$(join "$d32"); b=$(join "$d64"); echo "float32: $a"; echo "float64: $b"
  s32+=("$(sed -E 's/.* seconds=([0-9.]+).*/\1/' <<< "$a")"); s64+=("$(sed -E 's/.* seconds=([0-9.]+).*/\1/' <<< "$b")")
  a=$(join "$d32" --repeat 0 --cold); b=$(join "$d64" --repeat 0 --cold)
  c32+=("$(sed -E 's/.*first_eps=([0-9.]+).*/\1/' <<< "$a")"); c64+=("$(sed -E 's/.*first_eps=([0-9.]+).*/\1/' <<< "$b")")
done
python3 - "${s32[*]}" "${s64[*]}" "${c32[*]}" "${c64[*]}" <<'PY'
import statistics, sys
s32, s64, c32, c64 = ([float(x) for x in a.split()] for a in sys.argv[1:5])
m = statistics.median
print(f"steady: float32 {m(s32):.3f}s  float64 {m(s64):.3f}s  float64 / float32 = {m(s64) / m(s32):.3f}  per round {[round(b / a, 3) for a, b in zip(s32, s64)]}")
print(f"cold:   float32 {m(c32):.3f}s  float64 {m(c64):.3f}s  float64 / float32 = {m(c64) / m(c32):.3f}  per round {[round(b / a, 3) for a, b in zip(c32, c64)]}")
PY
