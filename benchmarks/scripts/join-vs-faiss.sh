#!/usr/bin/env bash
# The epsilon-range join, FiberProduct against FAISS IndexFlatL2.range_search (and the peers' NumPy and scikit-learn
# baselines) on the same files, in one script. DIR holds images.npy and texts.npy (e.g. from make_planted.py).
# usage: benchmarks/scripts/join-vs-faiss.sh DIR EPS [PEERS_DIR]   (needs python3-faiss, python3-sklearn)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1; eps=$2; peers=${3:-benchmarks/peers}
dotnet build -c Release benchmarks/FiberProduct.Benchmarks > /dev/null
run() { dotnet run -c Release --no-build --project benchmarks/FiberProduct.Benchmarks -- join --images "$dir/images.npy" --texts "$dir/texts.npy" --eps "$eps" "$@"; }
ours_pairs=$(run --mode pairs); echo "fiberproduct $ours_pairs"
ours_count=$(run --mode count); echo "fiberproduct $ours_count"
ours_profile=$(run --mode profile --count 64); echo "fiberproduct $ours_profile"
peer=$(/usr/bin/python3 "$peers/faiss_range.py" "$dir" "$eps"); echo "$peer"
seconds() { sed -E 's/.*(seconds|time)=([0-9.]+)s?.*/\2/' <<< "$1"; }
faiss=$(seconds "$(grep '^faiss' <<< "$peer")")
python3 - "$faiss" "$(seconds "$ours_pairs")" "$(seconds "$ours_count")" "$(seconds "$ours_profile")" <<'PY'
import sys
faiss, pairs, count, profile = map(float, sys.argv[1:])
print(f"FAISS / FiberProduct pairs = {faiss / pairs:.2f}   FAISS / FiberProduct count = {faiss / count:.2f}   profile(64) / count = {profile / count:.2f}")
PY
