#!/usr/bin/env bash
# Z_n[x] multiplication, FiberProduct against FLINT's nmod_poly_mul, same lengths and moduli, one script.
# Prints a markdown table: length, modulus, ours, FLINT, ratio (FLINT time / ours: > 1 means we are faster).
# usage: benchmarks/scripts/polymul-vs-flint.sh [PEERS_DIR]   (default benchmarks/peers; needs libflint-dev)
set -euo pipefail
cd "$(dirname "$0")/../.."
peers=${1:-benchmarks/peers}
scratch=$(mktemp -d)
gcc -O2 "$peers/flint_mul.c" -lflint -lgmp -o "$scratch/flint_mul"
dotnet build -c Release benchmarks/FiberProduct.Benchmarks > /dev/null
"$scratch/flint_mul" > "$scratch/flint.txt"
echo "| modulus | length | FiberProduct (s) | FLINT (s) | FLINT / FiberProduct |"
echo "| ---: | ---: | ---: | ---: | ---: |"
while read -r line; do
  n=$(sed -E 's/^n=([0-9]+).*/\1/' <<< "$line")
  len=$(sed -E 's/.*len=([0-9]+).*/\1/' <<< "$line")
  flint=$(awk '{print $3}' <<< "$line")
  ours=$(dotnet run -c Release --no-build --project benchmarks/FiberProduct.Benchmarks -- polymul --modulus "$n" --length "$len" | sed -E 's/.*seconds=([^ ]+).*/\1/')
  ratio=$(python3 -c "print(f'{$flint / $ours:.2f}')")
  echo "| $n | $len | $ours | $flint | $ratio |"
done < "$scratch/flint.txt"
rm -rf "$scratch"
