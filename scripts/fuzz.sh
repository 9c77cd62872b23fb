#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Mutation fuzzing of the scenario loader, the site model and the CSV readers through
# the release binary: scripts/fuzz.sh N [--seed S] (counts traps, time-outs over 20 s
# and exit-0 runs with non-finite output; exits 1 if any).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product switchyard >/dev/null
exec python3 scripts/fuzz.py "${1:-500}" "${@:2}"
