#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Longstaff-Schwartz Table 1, three rows, 100,000 antithetic paths: Switchyard
# (`switchyard-bench lsm`, release) and the PyPI package lsm-option-pricing 0.1.0
# (numpy, `Benchmarks/peers/lsm_peer.py`) side by side in one run, alternating
# ROUNDS times (each side best of 3 in its process), then the speed ratio per row. Creates the
# peer's venv in .venv-lsm on first use (needs PyPI).
#
#   Benchmarks/compare-lsm.sh [ROUNDS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${2:-$(nproc)}
if [ ! -x .venv-lsm/bin/python ]; then
    python3 -m venv .venv-lsm
    .venv-lsm/bin/pip install -q lsm-option-pricing==0.1.0 numpy
fi
swift build -c release --product switchyard-bench >/dev/null
out=$(mktemp -d)
for round in $(seq 1 "$rounds"); do
    .build/release/switchyard-bench lsm --repeats 3 --threads "$threads" | tail -n +2 >>"$out/switchyard.csv"
    .venv-lsm/bin/python Benchmarks/peers/lsm_peer.py --repeats 3 | tail -n +2 >>"$out/peer.csv"
done
echo "row (S, sigma, T) | switchyard price, best s | numpy peer price, best s | speed-up"
python3 - "$out/switchyard.csv" "$out/peer.csv" <<'PY'
import sys, collections
def load(path):
    rows = collections.OrderedDict()
    for line in open(path):
        s, sig, t, price, se, table, sec = line.strip().split(",")
        key = (float(s), float(sig), float(t))
        best = rows.get(key, (price, se, float("inf")))
        rows[key] = (price, se, min(best[2], float(sec)))
    return rows
ours, peer = load(sys.argv[1]), load(sys.argv[2])
for key in ours:
    a, b = ours[key], peer[key]
    print(f"{key[0]:.0f}, {key[1]}, {key[2]:.0f} | {a[0]} +/- {a[1]}, {a[2]:.3f} | {b[0]} +/- {b[1]}, {b[2]:.3f} | {b[2] / a[2]:.1f}x")
PY
rm -rf "$out"
