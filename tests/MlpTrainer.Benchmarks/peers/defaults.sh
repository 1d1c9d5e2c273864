#!/usr/bin/env bash
# Out-of-the-box quality, side by side: 5-fold cross-validation with default options on scikit-learn's diabetes
# (RMSE, lower is better), breast cancer, wine and digits (accuracy, higher is better), for MlpTrainer (defaults and
# Optimizer = Lbfgs) and scikit-learn's MLP (defaults and solver="lbfgs"), on the same rows and folds.
#   bash tests/MlpTrainer.Benchmarks/peers/defaults.sh
# Needs: apt-get install python3-sklearn
set -euo pipefail
cd "$(dirname "$0")/../../.."
data=/usr/lib/python3/dist-packages/sklearn/datasets/data
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python=/usr/bin/python3
[ -x "$python" ] || python=python3

dotnet run -c Release --project tests/MlpTrainer.Benchmarks -- defaults "$data" "$out" > "$out/ours.txt"
(unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "$python" tests/MlpTrainer.Benchmarks/peers/defaults.py "$out") > "$out/peers.txt"

echo "| data set (metric) | MlpTrainer defaults | scikit-learn defaults | MlpTrainer Lbfgs | scikit-learn lbfgs |"
echo "| --- | --- | --- | --- | --- |"
for name in diabetes breast_cancer wine digits; do
  cell() { awk -v n="$name" -v v="$1" '$1 == n && $3 == v { printf "%s ± %s (%s s)", $4, $5, $6 }' "$out/ours.txt" "$out/peers.txt"; }
  metric=$(awk -v n="$name" '$1 == n { print $2; exit }' "$out/ours.txt")
  echo "| $name ($metric) | $(cell mlptrainer-defaults) | $(cell sklearn-defaults) | $(cell mlptrainer-lbfgs) | $(cell sklearn-lbfgs) |"
done
