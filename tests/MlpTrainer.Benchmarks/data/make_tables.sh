#!/usr/bin/env bash
# Writes the tabular benchmark's real tables (issue 20: defaults against gradient boosting) as CSVs, each with its
# fold column, and manifest.json describing them (file, label, task, numeric / categorical / text columns, metric,
# folds evaluated, source, what was changed), into DIR (default ~/.cache/mlptrainer-tables). Nothing is downloaded:
# the data come from Debian's R data packages and scikit-learn's bundled sets.
#   bash tests/MlpTrainer.Benchmarks/data/make_tables.sh [DIR]
# Needs (Debian bookworm):
#   apt-get install r-base-core r-cran-modeldata r-cran-mlbench r-cran-aer python3-sklearn python3-pandas
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/mlptrainer-tables}"
mkdir -p "$out/raw"
# R's data sets as they are (NA written as empty); make_tables.py cleans them and assigns the folds.
OUT="$out/raw" LC_ALL=C Rscript --vanilla -e '
  out <- Sys.getenv("OUT")
  dump <- function(package, name, file = name) {
    e <- new.env(); data(list = name, package = package, envir = e)
    write.csv(get(name, envir = e), file.path(out, paste0(file, ".csv")), row.names = FALSE, na = "", fileEncoding = "UTF-8")
  }
  dump("modeldata", "concrete"); dump("modeldata", "ames"); dump("modeldata", "Sacramento")
  dump("modeldata", "credit_data"); dump("modeldata", "wa_churn"); dump("modeldata", "hpc_data")
  e <- new.env(); data("small_fine_foods", package = "modeldata", envir = e)
  write.csv(rbind(e$training_data, e$testing_data), file.path(out, "small_fine_foods.csv"), row.names = FALSE, na = "", fileEncoding = "UTF-8")
  dump("mlbench", "PimaIndiansDiabetes"); dump("mlbench", "LetterRecognition"); dump("mlbench", "Shuttle")
  dump("AER", "CPS1988"); dump("AER", "Fertility")
'
/usr/bin/python3 "$here/make_tables.py" "$out"
