#!/bin/bash
# Submits a sharded risk run and its merge, the merge after every shard succeeded.
#   Examples/slurm/run-risk.sh SCENARIO PATHS SHARDS [SEED] [OUT] [RESULTS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SCENARIO=$(realpath "$1"); PATHS=$2; SHARDS=$3; SEED=${4:-1}; OUT=$(realpath -m "${5:-shards}"); RESULTS=$(realpath -m "${6:-results}")
: "${SWITCHYARD:=$(command -v switchyard || true)}"
[ -x "$SWITCHYARD" ] || { echo "set SWITCHYARD to the switchyard binary" >&2; exit 2; }
export SWITCHYARD
array=$(sbatch --parsable --array=1-"$SHARDS" --export=ALL,SCENARIO="$SCENARIO",PATHS="$PATHS",SEED="$SEED",SHARDS="$SHARDS",OUT="$OUT" "$here/risk-array.sbatch")
echo "array job $array ($SHARDS shards); the merge runs after every shard succeeded"
# WAIT=1: block until the merge has finished (its exit status is this script's).
# (--kill-on-invalid-dep: a failed shard cancels the merge instead of leaving it pending.)
merge=$(sbatch --parsable ${WAIT:+--wait} --dependency=afterok:"$array" --kill-on-invalid-dep=yes --export=ALL,OUT="$OUT",RESULTS="$RESULTS" "$here/merge.sbatch")
echo "merge job $merge"
