#!/usr/bin/env bash
# `make bench`: install the anchors, then benchmark every engine, for each BENCH_THREADS value, on:
#   SROIE test line crops; SROIE test pages at each rotation in BENCH_ROTATIONS; the held-out
#   10% of iiit5k-train (what recognizer training never sees); the UW3 test lines; the
#   50-page PDF memory check (peak RSS target < 1.5 GB); and large text on photo-like pages
#   (benchmarks/scene_paste.py).
# Env: TEXTLENS_DATA (default ../shared/data), BENCH_THREADS (default "2"; "1 2" = one pass each),
#      BENCH_ROTATIONS (default "0 90 180 270"), BENCH_ENGINES (default textlens,tesseract,rapidocr),
#      BENCH_DETECTOR (detector .onnx for textlens pages and the memory check; default: the
#      registry's), PYTHON (default .venv/bin/python), BENCH_ARGS (extra args, e.g. "--limit 50"),
#      BENCH_MEMORY_ARGS (extra memory-check args, e.g. "--pages 5"), BENCH_RESULTS (output folder,
#      default benchmarks/results).
set -euo pipefail
cd "$(dirname "$0")/.."
benchmarks/setup.sh

export TEXTLENS_DATA=${TEXTLENS_DATA:-../shared/data}
export OMP_WAIT_POLICY=PASSIVE
PY=${PYTHON:-.venv/bin/python}
export BENCH_RESULTS=${BENCH_RESULTS:-benchmarks/results}
RESULTS=$BENCH_RESULTS
status=0

bench() {
    # Tables land in benchmarks/results/<set>[-heldout][-rot<deg>]-t<threads>.md (+ .json, raw numbers).
    # shellcheck disable=SC2086  # BENCH_ARGS is a list of words
    nice -n 5 "$PY" -m benchmarks.run --engines "${BENCH_ENGINES:-textlens,tesseract,rapidocr}" \
        --threads "$threads" ${BENCH_DETECTOR:+--textlens-detector "$BENCH_DETECTOR"} "$@" ${BENCH_ARGS:-}
}

for threads in ${BENCH_THREADS:-2}; do
    tables=("$RESULTS/sroie-test-lines-t$threads.md")
    bench --data "$TEXTLENS_DATA/sroie-test-lines"
    for rotate in ${BENCH_ROTATIONS:-0 90 180 270}; do
        bench --data "$TEXTLENS_DATA/sroie-test" --rotate "$rotate"
        if [ "$rotate" = 0 ]; then tables+=("$RESULTS/sroie-test-t$threads.md")
        else tables+=("$RESULTS/sroie-test-rot$rotate-t$threads.md"); fi
    done
    bench --data "$TEXTLENS_DATA/iiit5k-train" --split heldout
    bench --data "$TEXTLENS_DATA/uw3-lines/manifest_test.jsonl"
    tables+=("$RESULTS/iiit5k-train-heldout-t$threads.md" "$RESULTS/uw3-lines-test-t$threads.md")
    # Exit code 1 = peak RSS over the target: reported, and the bench still finishes.
    nice -n 5 "$PY" -m benchmarks.memory_pdf --threads "$threads" \
        ${BENCH_DETECTOR:+--detector "$BENCH_DETECTOR"} ${BENCH_MEMORY_ARGS:-} || status=1
    tables+=("$RESULTS/memory-pdf-t$threads.md")
    nice -n 5 "$PY" -m benchmarks.scene_paste --data "$TEXTLENS_DATA/iiit5k-train" --threads "$threads" || status=1
    tables+=("$RESULTS/scene-paste-t$threads.md")
    # Every table of this pass in one file, to paste into docs.
    cat "${tables[@]}" > "$RESULTS/all-t$threads.md.tmp" && mv "$RESULTS/all-t$threads.md.tmp" "$RESULTS/all-t$threads.md"
    echo "bench: all tables of the $threads-thread pass in $RESULTS/all-t$threads.md" >&2
done
exit $status
