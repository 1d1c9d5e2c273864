#!/usr/bin/env bash
# MlpTrainer against scikit-learn and PyTorch on the standard workload, in one run, with the ratios.
#   bash tests/MlpTrainer.Benchmarks/peers/compare.sh [epochs]
# Needs: apt-get install dataset-fashion-mnist python3-sklearn python3-torch libopenblas0-pthread
set -euo pipefail
cd "$(dirname "$0")/../../.."
epochs=${1:-5}
threads=2
python=/usr/bin/python3
[ -x "$python" ] || python=python3
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads

ours=$(dotnet run -c Release --project tests/MlpTrainer.Benchmarks -- epochs --epochs "$epochs" --threads "$threads" | tee /dev/stderr |
       sed -nE 's/^s\/epoch +([0-9.]+).*/\1/p')
echo "mlptrainer s/epoch $ours"
"$python" tests/MlpTrainer.Benchmarks/peers/peers.py --epochs "$epochs" --threads "$threads" | while read -r peer _ seconds _ accuracy; do
  ratio=$(awk -v p="$seconds" -v o="$ours" 'BEGIN { printf "%.2f", p / o }')
  echo "$peer s/epoch $seconds accuracy $accuracy -> MlpTrainer is ${ratio}x as fast"
done
