#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders every page of Switchyard workbooks to PNG so a reviewer can look at each
# sheet and chart: LibreOffice headless converts the workbook to PDF (each sheet as
# its print setup says: landscape, one page wide), pdftoppm turns the pages into PNGs.
# Needs Debian's libreoffice-calc-nogui and poppler-utils; not part of `make test`.
#
#   scripts/render-xlsx-png.sh [OUT_DIR] [WORKBOOK.xlsx ...]
#
# With no workbooks it writes the three kinds (simulate, risk with a tornado, a short
# plan) of the small reference site and renders them. PNGs: OUT_DIR/NAME-PAGE.png.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in libreoffice pdftoppm; do
    command -v "$tool" >/dev/null || { echo "render-xlsx: $tool not installed (apt-get install libreoffice-calc-nogui poppler-utils)" >&2; exit 2; }
done
out=${1:-$(mktemp -d)}
shift || true
mkdir -p "$out"
books=("$@")
if [ ${#books[@]} -eq 0 ]; then
    swift build -c release --product switchyard >/dev/null
    bin=.build/release/switchyard
    "$bin" simulate Models/small-miner-20mw.yaml --seed 1 --xlsx "$out/simulate.xlsx" --force >/dev/null
    "$bin" risk Models/small-miner-20mw.yaml --paths 500 --seed 1 --tornado --xlsx "$out/risk.xlsx" --force --quiet >/dev/null
    "$bin" plan Models/small-miner-20mw.yaml --paths 300 --training-paths 100 --seed 1 --xlsx "$out/plan.xlsx" --force --quiet >/dev/null
    books=("$out/simulate.xlsx" "$out/risk.xlsx" "$out/plan.xlsx")
fi
for book in "${books[@]}"; do
    name=$(basename "$book" .xlsx)
    rm -f "$out/$name.pdf" "$out/$name"-*.png
    if ! libreoffice --headless --convert-to pdf --outdir "$out" "$book" >"$out/$name.log" 2>&1 || [ ! -s "$out/$name.pdf" ]; then
        echo "render-xlsx: LibreOffice failed on $book:" >&2
        cat "$out/$name.log" >&2
        exit 1
    fi
    pdftoppm -png -r 60 "$out/$name.pdf" "$out/$name"
    echo "ok: $book -> $(ls "$out/$name"-*.png | wc -l) pages in $out/$name-*.png"
done
