#!/usr/bin/env bash
# The time to recover from a killed silo (docs/scaling.md, "Distributed (Orleans)"): the example's two silo processes
# on localhost (docs/examples/distributed), its client run once undisturbed and then `runs` times killing silo 1 a
# quarter into the pairs join (silo 1 is started again after each kill). Prints the pairs join's wall time of each run
# (from DistributedJoinReport) and the pieces redone; the recovery time is the killed runs' time minus the undisturbed
# one's. Usage: benchmarks/scripts/orleans-recovery.sh [runs=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
log=$(mktemp -d)
pids=""
cleanup() { for pid in $pids; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
dotnet build docs/examples/distributed/silo.cs -c Release > "$log/build.log" 2>&1
dotnet build docs/examples/distributed/client.cs -c Release > "$log/build.log" 2>&1
start_silo() {
  # In the background; its process id (printed by the silo) is what cleanup and the client's --kill use.
  timeout 1800 dotnet run -c Release docs/examples/distributed/silo.cs -- "$1" > "$log/silo$1.log" 2>&1 &
  for _ in $(seq 120); do grep -qs "^silo $1 ready" "$log/silo$1.log" && break; sleep 1; done
  grep -oP "^silo $1 ready.*process \K[0-9]+" "$log/silo$1.log"
}
pids="$pids $(start_silo 0)"
silo1=$(start_silo 1); pids="$pids $silo1"
sleep 5 # let silo 1 join the membership
dotnet run -c Release docs/examples/distributed/client.cs > "$log/client0.log" 2>&1
echo "undisturbed: $(grep '^pairs join:' "$log/client0.log")"
for run in $(seq "$runs"); do
  dotnet run -c Release docs/examples/distributed/client.cs -- --kill "$silo1" > "$log/client$run.log" 2>&1
  grep -q "^distributed = local: yes$" "$log/client$run.log" || { cat "$log/client$run.log"; exit 1; }
  echo "silo 1 killed: $(grep '^pairs join:' "$log/client$run.log")"
  silo1=$(start_silo 1); pids="$pids $silo1"
  sleep 5
done
