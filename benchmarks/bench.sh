#!/usr/bin/env bash
# `make bench`: install the anchors, then benchmark every engine on the SROIE dev sets.
# Env: TEXTLENS_DATA (default ../shared/data), BENCH_THREADS (default "1 2": one run each),
#      PYTHON (default .venv/bin/python), BENCH_ARGS (extra args, e.g. "--limit 50").
set -euo pipefail
cd "$(dirname "$0")/.."
benchmarks/setup.sh

export TEXTLENS_DATA=${TEXTLENS_DATA:-../shared/data}
export OMP_WAIT_POLICY=PASSIVE
PY=${PYTHON:-.venv/bin/python}
for threads in ${BENCH_THREADS:-1 2}; do
    # Tables land in benchmarks/results/<set>-t<threads>.md (+ .json with the raw numbers).
    nice -n 5 "$PY" -m benchmarks.run \
        --data "$TEXTLENS_DATA/sroie-test-lines" --data "$TEXTLENS_DATA/sroie-test" \
        --engines textlens,tesseract,rapidocr --threads "$threads" ${BENCH_ARGS:-}
done
