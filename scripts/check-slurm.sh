#!/bin/bash
# Integration check of the Slurm example (issue 16): starts a one-node Slurm (as in
# ../shared/SLURM.md, with its own config, state and logs in a temporary folder),
# runs Examples/slurm's 4-shard risk array and its merge, compares the merged CSVs and
# JSON with the same run on one machine byte for byte, and stops the daemons it
# started. Needs root (it installs slurm-wlm and munge if missing). Not part of the
# unit tests.
# Then the same for a plan (Examples/slurm/run-plan.sh): a 4-task training array, its
# merge into the training file, a 4-shard array of fresh paths after it and the plan's
# merge, against the plan on one machine.
#   scripts/check-slurm.sh [PATHS] [PLAN_PATHS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
paths=${1:-400}
plan_paths=${2:-200}
[ "$(id -u)" = 0 ] || { echo "check-slurm: run as root (it starts slurmctld, slurmd and munged)" >&2; exit 2; }
command -v slurmctld > /dev/null && command -v munged > /dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge > /dev/null
if [ -z "${SWITCHYARD:-}" ]; then
    (cd "$root" && swift build -c release --product switchyard > /dev/null)
    SWITCHYARD="$root/.build/release/switchyard"
fi
export SWITCHYARD
work=$(mktemp -d /tmp/switchyard-slurm.XXXXXX)
chmod 755 "$work"
started=()
cleanup() {
    for pid in "${started[@]}"; do kill "$pid" 2> /dev/null || true; done
    sleep 1
    for pid in "${started[@]}"; do kill -9 "$pid" 2> /dev/null || true; done
    [ -n "${KEEP:-}" ] && echo "check-slurm: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

# munge: the one already running, or one of our own.
if ! munge -n 2> /dev/null | unmunge > /dev/null 2>&1; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge
    su -s /bin/sh munge -c /usr/sbin/munged
    started+=("$(cat /run/munge/munged.pid)")
    munge -n | unmunge | grep -q "STATUS:.*Success" || { echo "check-slurm: munge does not work" >&2; exit 1; }
fi

host=$(hostname)
mkdir -p "$work/state" "$work/spool" "$work/log"
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" << CONF
ClusterName=check
SlurmctldHost=$host
SlurmctldPort=6917
SlurmdPort=6918
ProctrackType=proctrack/linuxproc
ReturnToService=2
SlurmUser=root
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SwitchType=switch/none
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=check Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF"
for _ in $(seq 50); do [ -s "$work/slurmctld.pid" ] && break; sleep 0.2; done
started+=("$(cat "$work/slurmctld.pid")")
slurmd -f "$SLURM_CONF"
for _ in $(seq 50); do [ -s "$work/slurmd.pid" ] && break; sleep 0.2; done
started+=("$(cat "$work/slurmd.pid")")
for _ in $(seq 60); do sinfo -h -o %t 2> /dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %t | grep -q idle || { echo "check-slurm: the node did not come up (see $work/log)" >&2; cat "$work/log/"*.log >&2; exit 1; }

scenario="$root/Models/small-miner-20mw.yaml"
cd "$work"
"$SWITCHYARD" risk "$scenario" --paths "$paths" --seed 7 --csv single --json single/risk.json --quiet > /dev/null
WAIT=1 "$root/Examples/slurm/run-risk.sh" "$scenario" "$paths" 4 7 "$work/shards" "$work/results" \
    || { echo "check-slurm: the Slurm jobs failed:" >&2; tail -n 20 "$work"/*.out >&2; exit 1; }
ls "$work/shards"/*.shard | wc -l | grep -qx 4 || { echo "check-slurm: expected 4 shard files" >&2; exit 1; }
for f in paths.csv monthly.csv yearly.csv summary.csv risk.json; do
    cmp "single/$f" "results/$f" || { echo "check-slurm: $f differs from the single-machine run" >&2; exit 1; }
done
# A failed task re-run alone: shard 2 lost, resubmitted as --array=2, merged again.
rm "$work/shards/shard-2-of-4.shard"
sbatch --wait --array=2 --export=ALL,SCENARIO="$scenario",PATHS="$paths",SEED=7,SHARDS=4,OUT="$work/shards" \
    "$root/Examples/slurm/risk-array.sbatch" > /dev/null
"$SWITCHYARD" merge "$work/shards"/*.shard --csv again --json again/risk.json --quiet > /dev/null
for f in paths.csv monthly.csv yearly.csv summary.csv risk.json; do
    cmp "single/$f" "again/$f" || { echo "check-slurm: $f differs after re-running shard 2" >&2; exit 1; }
done
echo "check-slurm: 4-shard array on Slurm, merged: byte-identical to the single run ($paths paths); shard 2 re-run alone: the same"

# A plan in two stages: a 4-task training array and its merge, a 4-shard array of fresh
# paths after it, the plan's merge after that; compared with the plan on one machine.
plan_args=(--paths "$plan_paths" --comparison-paths "$((plan_paths / 2))" --training-paths 60 --screening-paths 10 --least-squares-paths 30 --step 12 --seed 5)
"$SWITCHYARD" plan "$scenario" "${plan_args[@]}" --json plan-single.json --xlsx plan-single.xlsx --quiet > plan-single.txt
WAIT=1 "$root/Examples/slurm/run-plan.sh" "$scenario" 4 "$work/plan-shards" "$work/plan-results" "${plan_args[@]}" \
    || { echo "check-slurm: the plan's Slurm jobs failed:" >&2; tail -n 20 "$work"/*.out >&2; exit 1; }
ls "$work/plan-shards"/plan-*.shard | wc -l | grep -qx 4 || { echo "check-slurm: expected 4 plan shard files" >&2; exit 1; }
ls "$work/plan-shards"/train-*.tshard | wc -l | grep -qx 4 || { echo "check-slurm: expected 4 training shard files" >&2; exit 1; }
cmp plan-single.json plan-results/plan.json || { echo "check-slurm: the merged plan's JSON differs from the single-machine plan" >&2; exit 1; }
diff <(grep -v '^wrote' plan-single.txt) <(grep -v '^wrote' plan-results/plan.txt) > /dev/null || { echo "check-slurm: the merged plan's text differs" >&2; exit 1; }
echo "check-slurm: plan trained in a 4-task array, merged, re-scored in a 4-shard array, merged: byte-identical to the single plan ($plan_paths fresh paths)"
