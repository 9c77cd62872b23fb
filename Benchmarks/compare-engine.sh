#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the M/M/c engine benchmark and its SimPy peer on the same model in one go and
# prints the speed ratio. Usage: Benchmarks/compare-engine.sh [customers]  (default 2000000)
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-2000000}
python3 -c 'import simpy' 2>/dev/null || python3 -m pip install --quiet simpy
swift build -c release --product switchyard-bench >/dev/null
swift_out=$(.build/release/switchyard-bench engine --customers "$customers")
simpy_out=$(python3 Benchmarks/peers/mmc_simpy.py --customers "$customers")
echo "$swift_out"
echo
echo "$simpy_out"
echo
value() { echo "$1" | awk -v k="$2:" '$1 == k { print $2 }'; }
awk -v a="$(value "$swift_out" customers_per_second)" -v b="$(value "$simpy_out" customers_per_second)" \
    'BEGIN { printf "speed ratio (Switchyard / SimPy, customers per second): %.1fx\n", a / b }'
