#!/usr/bin/env bash
# Install the benchmark anchors: Tesseract 5 (Debian packages) and RapidOCR 1.4.4 (in .bench-venv).
# Idempotent: does nothing that is already done. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

# eng for every set; deu, ell, grc, ara and rus for the script benchmarks (benchmarks/script_lines.py).
LANGS="eng deu ell grc ara rus"
have=$(tesseract --list-langs 2>/dev/null || true)
missing=""
for lang in $LANGS; do
    grep -qx "$lang" <<<"$have" || missing="$missing tesseract-ocr-$lang"
done
if command -v tesseract >/dev/null && [ -z "$missing" ]; then
    echo "bench setup: $(tesseract --version 2>&1 | head -n1) with $LANGS: ok" >&2
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench setup: installing tesseract-ocr$missing" >&2
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr $missing >/dev/null
else
    echo "bench setup: tesseract or its language data missing and not root: its rows will say 'not installed'" \
         "(sudo apt-get install tesseract-ocr$missing)" >&2
fi

VENV=${BENCH_VENV:-.bench-venv}
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import rapidocr_onnxruntime" 2>/dev/null; then
    echo "bench setup: $VENV with rapidocr-onnxruntime: ok" >&2
else
    echo "bench setup: creating $VENV with rapidocr-onnxruntime (separate venv: it needs opencv-python)" >&2
    "${PYTHON3:-python3}" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r benchmarks/requirements-bench.txt
fi
