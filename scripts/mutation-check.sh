#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Mutation check: each formula below is replaced by a plausible wrong variant, the
# tests that guard it are built and run, and they must FAIL. The source is restored
# after each mutant (also on Ctrl-C). Prints one line per mutant; exits 1 if a mutant
# survives (its tests still pass) or a mutation no longer applies.
#
#   scripts/mutation-check.sh            all mutants
#   scripts/mutation-check.sh NAME ...   only these
#
# Debug builds, incremental: about a minute a mutant on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."

# name | file | exact text | wrong text | swift test --filter ("\n" in a text: a line break)
mutants=(
  "gbm-step|Sources/SwitchyardStochastic/Processes/GeometricBrownianMotion.swift|ExactStep(logDrift: (drift - volatility * volatility / 2) * dt|ExactStep(logDrift: drift * dt|ProcessTests/gbmMoments|EnvironmentTests"
  "gbm-drift-fit|Sources/SwitchyardStochastic/Calibration/Calibration.swift|let mu = mean * p + sigma * sigma / 2|let mu = mean * p|CalibrationTests/gbmRecovery"
  "retarget|Sources/SwitchyardModel/Bitcoin/BitcoinProtocol.swift|return difficulty * target / clamped|return difficulty * clamped / target|BitcoinProtocolTests|SiteModelTests/btcClosedForm"
  "hashprice|Sources/SwitchyardModel/Site/SiteModel.swift|environment.inverseNetworkHashrateEHs * 0.024|environment.inverseNetworkHashrateEHs * 0.024 * 1.01|SiteModelTests/btcClosedForm"
  "npv|Sources/SwitchyardModel/Finance/CashFlows.swift|let perMonth = 1 / (1 + r)|let perMonth = 1 / (1 + 12 * r)|CashFlowTests|ValuationTests/cashFlowByHand"
  "stage-direct|Sources/SwitchyardReport/AtomicFile.swift|staged.append((temporary, path))\n        return temporary|staged.append((path, path))\n        return path|killedRunLeavesNothing"
  "no-cleanup|Sources/SwitchyardReport/AtomicFile.swift|try? FileManager.default.removeItem(at: temporary)\n                throw OutputError.writeFailed(path: path, reason: reason)|throw OutputError.writeFailed(path: path, reason: reason)|AtomicFileTests/failedWrite"
  "fcf-opex|Sources/SwitchyardModel/Finance/Ledger.swift|public var freeCashFlowUSD: Double { revenueUSD - energyCostUSD - opexUSD - capexUSD - transmissionUSD }|public var freeCashFlowUSD: Double { revenueUSD - energyCostUSD - capexUSD - transmissionUSD }|ValuationTests/cashFlowByHand"
)

wanted=("$@")
survivors=0
restore() {
    if [ -n "${current_file:-}" ] && [ -f "$current_file.mutation-backup" ]; then
        # cat, not mv: the restored file must look newer than the mutant to the build
        # system (mv would bring back the backup's older time, and the mutant's object
        # code would stay in the next build).
        cat "$current_file.mutation-backup" >"$current_file"
        rm -f "$current_file.mutation-backup"
        touch "$current_file"
    fi
}
trap 'restore; exit 130' INT TERM

for entry in "${mutants[@]}"; do
    IFS='|' read -r name file exact wrong filters <<<"$entry"
    if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $name "* ]]; then continue; fi
    current_file=$file
    # "\n" in a mutant's texts stands for a line break.
    if ! python3 -c 'import sys; sys.exit(0 if sys.argv[2].replace("\\n", "\n") in open(sys.argv[1]).read() else 1)' "$file" "$exact"; then
        echo "$name: the text to mutate is no longer in $file: update the script"
        survivors=$((survivors + 1))
        continue
    fi
    cp "$file" "$file.mutation-backup"
    python3 - "$file" "$exact" "$wrong" <<'PY'
import sys
path, exact, wrong = (a.replace("\\n", "\n") for a in sys.argv[1:4])
text = open(path).read()
open(path, "w").write(text.replace(exact, wrong, 1))
PY
    filter=${filters//|/\|}
    if ! swift build --build-tests >/tmp/mutation-build.log 2>&1; then
        echo "$name: the mutant does not build (see /tmp/mutation-build.log)"
        restore; current_file=
        survivors=$((survivors + 1))
        continue
    fi
    if swift test --skip-build --filter "$filter" >/tmp/mutation-test.log 2>&1; then
        echo "$name: SURVIVED: $filter still pass with '$wrong'"
        survivors=$((survivors + 1))
    else
        failed=$(grep -c "recorded an issue" /tmp/mutation-test.log || true)
        echo "$name: killed ($failed failed expectation(s) in $filter)"
    fi
    restore; current_file=
done
# Leave the build matching the restored sources.
swift build --build-tests >/dev/null 2>&1 || true
exit $((survivors > 0))
