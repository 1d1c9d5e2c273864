#!/usr/bin/env bash
# All-reduce bandwidth of MpiWorkerGroup (tests/MlpTrainer.Mpi.Child, "bandwidth") against MPICH's own (allreduce.c,
# compiled with mpicc: apt-get install libmpich-dev), in alternating runs, 2 processes bound to a core each.
#   bash tests/MlpTrainer.Benchmarks/mpi/allreduce-bandwidth.sh [rounds]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../../.."
rounds="${1:-3}"
dotnet build "$root/tests/MlpTrainer.Mpi.Child" -c Release -v q -nologo >/dev/null
child="$root/tests/MlpTrainer.Mpi.Child/bin/Release/net10.0/MlpTrainer.Mpi.Child.dll"
c="$(mktemp -d)/allreduce"
mpicc -O2 "$here/allreduce.c" -o "$c"
for round in $(seq 1 "$rounds"); do
  echo "round $round, load $(cut -d' ' -f1 /proc/loadavg)"
  for floats in 235146 1048576; do
    mpiexec -bind-to core -n 2 "$c" "$floats" 100
    mpiexec -bind-to core -n 2 dotnet "$child" bandwidth "$floats" 100 | sed 's/^/MpiWorkerGroup /'
  done
done
