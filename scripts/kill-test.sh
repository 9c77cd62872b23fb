#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Interrupts `risk --csv --xlsx --json` runs at random moments, N times with SIGINT and
# N with SIGKILL, and checks after each that the outputs are the complete old set or
# the complete new set, and (after SIGINT) that no temporary file is left.
# Usage: scripts/kill-test.sh [N]   (release binary; about a minute for N = 20)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
bin=.build/release/switchyard
swift build -c release --product switchyard >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
outputs() { echo "$dir/r.json $dir/r.xlsx $dir/csv/paths.csv $dir/csv/monthly.csv $dir/csv/yearly.csv $dir/csv/summary.csv"; }
"$bin" risk --paths 3000 --seed 1 --csv "$dir/csv" --json "$dir/r.json" --xlsx "$dir/r.xlsx" --quiet --force >/dev/null
old=$(cat $(outputs) | md5sum)
"$bin" risk --paths 3000 --seed 2 --csv "$dir/csv2" --json "$dir/r2.json" --xlsx "$dir/r2.xlsx" --quiet --force >/dev/null
bad=0; tmp_left=0; new_sets=0; old_sets=0
for signal in INT KILL; do
  for i in $(seq 1 "$n"); do
    # Restore the old set, then start a run that would write the new one (seed 2).
    "$bin" risk --paths 3000 --seed 1 --csv "$dir/csv" --json "$dir/r.json" --xlsx "$dir/r.xlsx" --quiet --force >/dev/null
    "$bin" risk --paths 3000 --seed 2 --csv "$dir/csv" --json "$dir/r.json" --xlsx "$dir/r.xlsx" --quiet --force >/dev/null &
    pid=$!
    sleep "$(python3 -c "import random; print(random.uniform(0.05, 2.0))")"
    kill -s "$signal" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    now=$(cat $(outputs) | md5sum)
    if [ "$now" = "$old" ]; then old_sets=$((old_sets + 1)); else
      # A complete new set: each file the same as the seed-2 reference run's.
      if cmp -s "$dir/r.json" "$dir/r2.json" && cmp -s "$dir/csv/paths.csv" "$dir/csv2/paths.csv" && cmp -s "$dir/csv/summary.csv" "$dir/csv2/summary.csv"; then
        new_sets=$((new_sets + 1)); else bad=$((bad + 1)); fi
    fi
    left=$(find "$dir" -name '.*.tmp' | wc -l)
    if [ "$signal" = INT ] && [ "$left" -gt 0 ]; then tmp_left=$((tmp_left + 1)); fi
    find "$dir" -name '.*.tmp' -delete
  done
done
echo "interrupted runs: $((2 * n)); complete old set: $old_sets; complete new set: $new_sets; mixed or partial: $bad; SIGINT runs leaving a temporary file: $tmp_left"
[ "$bad" -eq 0 ] && [ "$tmp_left" -eq 0 ]
