#!/usr/bin/env bash
# Defaults against gradient boosting (issue 20), one command: writes the real tables if they are missing
# (data/make_tables.sh, into ~/.cache/mlptrainer-tables or $MLP_TABLES), runs the .NET side (MlpTrainer's MLP,
# LightGbm, FastTree and two linear trainers, all with default options: `dotnet run ... -- tabular`) and
# scikit-learn's MLP (peers/tabular.py) on the same folds, one after the other, then prints the Markdown report
# (tables, metrics, fit times, mean ranks) and writes it with the per-table means and a plot of the normalised
# scores to tests/MlpTrainer.Benchmarks/results/ (tabular.md, tabular.csv, tabular.png; the per-fold lines too).
#   bash tests/MlpTrainer.Benchmarks/peers/tabular.sh [table,table,...]      # default: every table of the manifest
# (a run on some tables replaces the results files with that run's; the committed ones are the README's full run)
# Needs (Debian bookworm; not part of CI):
#   apt-get install r-base-core r-cran-modeldata r-cran-mlbench r-cran-aer python3-sklearn python3-pandas python3-matplotlib
# and the .NET 10 SDK (the benchmark project restores Microsoft.ML.LightGbm and Microsoft.ML.FastTree from NuGet).
set -euo pipefail
cd "$(dirname "$0")/../../.."
data="${MLP_TABLES:-${XDG_CACHE_HOME:-$HOME/.cache}/mlptrainer-tables}"
results=tests/MlpTrainer.Benchmarks/results
tables="${1:-}"
python=/usr/bin/python3
[ -x "$python" ] || python=python3
mkdir -p "$results"

[ -f "$data/manifest.json" ] || bash tests/MlpTrainer.Benchmarks/data/make_tables.sh "$data"

started=$(date -u '+%Y-%m-%d %H:%M UTC')
dotnet build -c Release tests/MlpTrainer.Benchmarks -v quiet -nologo > /dev/null
dotnet run -c Release --no-build --project tests/MlpTrainer.Benchmarks -- tabular --data "$data" --out "$results/tabular-dotnet.tsv" \
  ${tables:+--tables "$tables"}
# The peer on the same two cores, its BLAS on two threads (OpenBLAS's own choice of kernel).
OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "$python" tests/MlpTrainer.Benchmarks/peers/tabular.py "$data" "$results/tabular-sklearn.tsv" ${tables:+"$tables"}

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
sklearn=$("$python" -c 'import sklearn; print(sklearn.__version__)')
header="Run $started by \`bash tests/MlpTrainer.Benchmarks/peers/tabular.sh\` on $(nproc) cores ($cpu), .NET $(dotnet --version), ML.NET 5.0.1, scikit-learn $sklearn."
"$python" tests/MlpTrainer.Benchmarks/peers/tabular_report.py "$data/manifest.json" "$results/tabular-dotnet.tsv" "$results/tabular-sklearn.tsv" \
  "$results/tabular.md" "$results/tabular.csv" "$results/tabular.png" "$header"
cp "$data/manifest.json" "$results/tables-manifest.json"
echo "Wrote $results/tabular.md, tabular.csv, tabular.png and the per-fold lines (tabular-dotnet.tsv, tabular-sklearn.tsv)."
