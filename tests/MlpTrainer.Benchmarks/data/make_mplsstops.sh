#!/bin/sh
# Regenerates mplsstops.csv from the Debian package r-cran-cardata (carData 3.0-5, GPL>=2),
# data set carData::MplsStops: Minneapolis Police Department stops, 2017 (real open data,
# Minneapolis Open Data portal), 51,920 stops x 14 columns.
# Output keeps the 43,699 stops recorded with the squad-car computer (MDC == "MDC"),
# the only rows where the label personSearch is recorded.
# Label: personSearch (1 = the person was searched, 0 = not).
# Usage: make_mplsstops.sh [OUT.csv]   (default: directory of this script/mplsstops.csv)
set -eu
OUT="${1:-$(cd "$(dirname "$0")" && pwd)/mplsstops.csv}"
if ! Rscript -e 'quit(status = !requireNamespace("carData", quietly = TRUE))' >/dev/null 2>&1; then
  echo "installing r-cran-cardata" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends r-base-core r-cran-cardata >&2
fi
OUT="$OUT" LC_ALL=C Rscript --vanilla -e '
  invisible(Sys.setlocale("LC_TIME", "C"))
  d <- carData::MplsStops
  d <- d[d$MDC == "MDC", ]
  tz <- "America/Chicago"
  cat_ <- function(x) { x <- as.character(x); x[is.na(x)] <- "NA"; x }
  out <- data.frame(
    problem        = cat_(d$problem),
    citationIssued = cat_(d$citationIssued),
    vehicleSearch  = cat_(d$vehicleSearch),
    preRace        = cat_(d$preRace),
    race           = cat_(d$race),
    gender         = cat_(d$gender),
    policePrecinct = paste0("P", d$policePrecinct),
    neighborhood   = cat_(d$neighborhood),
    month          = format(d$date, "%b", tz = tz),
    dayOfWeek      = format(d$date, "%a", tz = tz),
    hour           = as.integer(format(d$date, "%H", tz = tz)),
    lat            = round(d$lat, 6),
    long           = round(d$long, 6),
    personSearch   = as.integer(d$personSearch == "YES"),
    stringsAsFactors = FALSE)
  stopifnot(!anyNA(out))
  write.csv(out, Sys.getenv("OUT"), row.names = FALSE, quote = TRUE, fileEncoding = "UTF-8")
  cat("wrote", nrow(out), "rows to", Sys.getenv("OUT"), "\n")
'
