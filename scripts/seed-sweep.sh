#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a statistical test over N seeds and prints how many passed.
#
#   scripts/seed-sweep.sh TEST N [FIRST]
#
# TEST is a `swift test --filter` pattern (a suite or a test function, e.g.
# CalibrationTests/gbmRecovery); N seeds are the offsets FIRST..FIRST+N-1 (default
# FIRST = 1; offset 0 is the test's own seed), passed as SWITCHYARD_TEST_SEEDS: every
# statistical test takes its seed from Tests/SwitchyardTestSupport/TestSeeds.swift.
# A test with several cases (e.g. one per table row) counts each case and seed.
# Needs a built test bundle (swift build --build-tests); set SWEEP_CONFIGURATION=release
# to use one built with `swift build -c release --build-tests -Xswiftc -enable-testing`.
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: scripts/seed-sweep.sh TEST N [FIRST]" >&2
    exit 2
fi
test_filter=$1
count=$2
first=${3:-1}
case $count in ''|*[!0-9]*) echo "seed-sweep: N must be a whole number, got '$count'" >&2; exit 2 ;; esac
case $first in ''|*[!0-9]*) echo "seed-sweep: FIRST must be a whole number, got '$first'" >&2; exit 2 ;; esac
last=$((first + count - 1))
configuration=${SWEEP_CONFIGURATION:-debug}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
started=$(date +%s)
SWITCHYARD_TEST_SEEDS="$first-$last" swift test -c "$configuration" --skip-build --filter "$test_filter" >"$log" 2>&1 || true
elapsed=$(( $(date +%s) - started ))
python3 - "$log" "$test_filter" "$first" "$last" "$elapsed" <<'PY'
import re, sys
log, name, first, last, elapsed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
text = open(log, encoding="utf-8", errors="replace").read()
# Every case that started, and every case that recorded an issue (by its arguments).
started = re.findall(r'◇ Test case passing (?:\d+ arguments?) (.*?) to "(.*?)" started', text)
failed = set(re.findall(r'✘ Test "(.*?)" recorded an issue with \d+ arguments? (.*?) at ', text))
crashed = "Fatal error" in text or "Backtrace" in text
tests = {}
for args, test in started:
    tests.setdefault(test, [0, 0, []])
    tests[test][0] += 1
for test, args in failed:
    tests.setdefault(test, [0, 0, []])
    tests[test][1] += 1
    tests[test][2].append(args)
if not tests:
    print(f"seed-sweep: no parameterised test matched '{name}' (is it swept? see TestSeeds.sweep)")
    sys.exit(1)
print(f"{name}: offsets {first}-{last}, {elapsed} s")
for test, (cases, fails, which) in sorted(tests.items()):
    print(f"  {cases - fails}/{cases} passed  {test}")
    for args in sorted(which)[:10]:
        print(f"      failed: {args}")
if crashed:
    print("  the run crashed (see swift test's output)")
    sys.exit(1)
PY
