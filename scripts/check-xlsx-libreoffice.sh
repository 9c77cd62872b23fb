#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Integration check: the workbooks Switchyard writes open in LibreOffice without error.
# Writes a path, a risk and a plan workbook, converts each to PDF with
#   libreoffice --headless --convert-to pdf
# and fails if the conversion fails or produces no PDF. Needs LibreOffice Calc
# (Debian: apt-get install libreoffice-calc-nogui); not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v libreoffice >/dev/null || { echo "check-xlsx: libreoffice not installed (apt-get install libreoffice-calc-nogui)" >&2; exit 2; }
out=${1:-$(mktemp -d)}
mkdir -p "$out"
swift build -c release --product switchyard >/dev/null
.build/release/switchyard simulate --seed 1 --xlsx "$out/path.xlsx" --force >/dev/null
.build/release/switchyard risk Models/small-miner-20mw.yaml --paths 200 --seed 1 --tornado --xlsx "$out/risk.xlsx" --force --quiet >/dev/null
.build/release/switchyard plan Models/small-miner-20mw.yaml --paths 200 --training-paths 60 --seed 1 --xlsx "$out/plan.xlsx" --force --quiet >/dev/null
# A workbook is also a scenario: its Inputs sheet read back gives the same ledger.
.build/release/switchyard simulate Models/small-miner-20mw.yaml --seed 2 --ledger "$out/yaml.csv" --force >/dev/null
.build/release/switchyard simulate "$out/plan.xlsx" --seed 2 --ledger "$out/book.csv" --force >/dev/null
cmp -s "$out/yaml.csv" "$out/book.csv" || { echo "check-xlsx: the plan workbook's Inputs sheet does not give the scenario's ledger" >&2; exit 1; }
echo "ok: plan.xlsx read back as a scenario gives the same ledger"
for book in path risk plan; do
    rm -f "$out/$book.pdf"
    if ! libreoffice --headless --convert-to pdf --outdir "$out" "$out/$book.xlsx" >"$out/$book.log" 2>&1; then
        echo "check-xlsx: LibreOffice failed on $book.xlsx:" >&2
        cat "$out/$book.log" >&2
        exit 1
    fi
    [ -s "$out/$book.pdf" ] || { echo "check-xlsx: no PDF for $book.xlsx" >&2; cat "$out/$book.log" >&2; exit 1; }
    echo "ok: $book.xlsx -> $book.pdf ($(wc -c <"$out/$book.pdf") bytes)"
done
