#!/usr/bin/env bash
# MlpTrainer against scikit-learn and PyTorch on the standard workload, in one run, with the ratios: the wall time of
# the whole 5-epoch fit as a user calls it (MlpEstimator.Fit on a cached IDataView; MLPClassifier.fit; PyTorch's loop),
# and the steady (median) epoch.
#   bash tests/MlpTrainer.Benchmarks/peers/compare.sh [epochs]
# Needs: apt-get install dataset-fashion-mnist python3-sklearn python3-torch libopenblas0-pthread
# Some machines here set OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (older OpenBLAS builds misbehave on some processors);
# set, they force OpenBLAS's AVX2 kernels. The peers run with both unset, in their own command only, and the BLAS kernel
# they ran is printed.
set -euo pipefail
cd "$(dirname "$0")/../../.."
epochs=${1:-5}
threads=2
python=/usr/bin/python3
[ -x "$python" ] || python=python3
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads

dotnet build -c Release tests/MlpTrainer.Benchmarks >/dev/null
ours=$(dotnet run -c Release --no-build --project tests/MlpTrainer.Benchmarks -- fit --epochs "$epochs" --threads "$threads" | tee /dev/stderr)
fit=$(sed -nE 's/^Fit wall +([0-9.]+).*/\1/p' <<<"$ours")
epoch=$(sed -nE 's/^median epoch +([0-9.]+).*/\1/p' <<<"$ours")
echo "mlptrainer fit $fit s/epoch $epoch"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" tests/MlpTrainer.Benchmarks/peers/peers.py --epochs "$epochs" --threads "$threads" |
while read -r line; do
  if [[ $line == blas* ]]; then
    echo "peers' BLAS: ${line#blas }"
    continue
  fi
  read -r peer _ wall _ seconds _ accuracy <<<"$line"
  echo "$peer fit $wall s/epoch $seconds accuracy $accuracy -> MlpTrainer's Fit is $(awk -v p="$wall" -v o="$fit" 'BEGIN { printf "%.2f", p / o }')x as fast," \
       "its steady epoch $(awk -v p="$seconds" -v o="$epoch" 'BEGIN { printf "%.2f", p / o }')x"
done
