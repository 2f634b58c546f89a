#!/usr/bin/env bash
# Tesseract language data for the script benchmarks (benchmarks/script_lines.py), peers only: textlens
# never uses it. Debian's tesseract-ocr-{deu,ell,ara,grc,rus} packages are the usual source; where apt
# cannot reach them, the npm packages @tesseract.js-data/<lang> carry the same tessdata (4.0.0) files.
# grc (Ancient Greek) and rus are not published there: without apt, Greek is compared with ell+deu+eng.
#   bash scripts/fetch_peer_tessdata.sh [DIR]   (default runs/peer-tessdata)
set -euo pipefail
DIR=${1:-runs/peer-tessdata}
mkdir -p "$DIR"
cp -n /usr/share/tesseract-ocr/5/tessdata/{eng,osd}.traineddata "$DIR"/
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for lang in deu ell ara fra grc rus; do
  [ -s "$DIR/$lang.traineddata" ] && continue
  if (cd "$tmp" && npm pack --silent "@tesseract.js-data/$lang" >/dev/null 2>&1); then
    tar xzf "$tmp"/tesseract.js-data-$lang-*.tgz -C "$tmp" "package/4.0.0/$lang.traineddata.gz"
    gunzip -c "$tmp/package/4.0.0/$lang.traineddata.gz" > "$DIR/$lang.traineddata"
    rm -rf "$tmp/package"
    echo "$lang: from @tesseract.js-data/$lang"
  else
    echo "$lang: not available" >&2
  fi
done
