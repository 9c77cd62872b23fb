#!/bin/bash
# Submits a plan in shards: the training as an array job (TRAIN_SHARDS tasks, default
# SHARDS; TRAIN_SHARDS=1: one job), its merge into the training file, the array of
# fresh-path shards after it, and the merge of the plan after every shard succeeded.
#   Examples/slurm/run-plan.sh SCENARIO SHARDS OUT RESULTS [PLAN OPTIONS...]
# e.g. run-plan.sh site.yaml 16 /scratch/me/plan-shards /scratch/me/plan --paths 200000 --training-paths 20000
# OUT gets the training shards, the training file (plan.train) and the fresh-path
# shards; RESULTS plan.txt, plan.json and plan.xlsx.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 4 ] || { echo "usage: run-plan.sh SCENARIO SHARDS OUT RESULTS [PLAN OPTIONS...]" >&2; exit 2; }
SCENARIO=$(realpath "$1"); SHARDS=$2; OUT=$(realpath -m "$3"); RESULTS=$(realpath -m "$4"); shift 4
TRAIN_SHARDS=${TRAIN_SHARDS:-$SHARDS}
export PLAN_ARGS="$*"
: "${SWITCHYARD:=$(command -v switchyard || true)}"
[ -x "$SWITCHYARD" ] || { echo "set SWITCHYARD to the switchyard binary" >&2; exit 2; }
export SWITCHYARD
mkdir -p "$OUT"
TRAINING="$OUT/plan.train"
# (--kill-on-invalid-dep: a failed job cancels the ones that wait for it.)
if [ "$TRAIN_SHARDS" -gt 1 ]; then
    array=$(sbatch --parsable --array=1-"$TRAIN_SHARDS" --export=ALL,SCENARIO="$SCENARIO",TRAIN_SHARDS="$TRAIN_SHARDS",OUT="$OUT" "$here/plan-train.sbatch")
    echo "training array job $array ($TRAIN_SHARDS shards)"
    train=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
        --export=ALL,OUT="$OUT",TRAINING="$TRAINING" "$here/plan-train-merge.sbatch")
    echo "training merge job $train, after the training array"
else
    train=$(sbatch --parsable --export=ALL,SCENARIO="$SCENARIO",TRAINING="$TRAINING",OUT="$OUT" "$here/plan-train.sbatch")
    echo "training job $train"
fi
array=$(sbatch --parsable --array=1-"$SHARDS" --dependency=afterok:"$train" --kill-on-invalid-dep=yes \
    --export=ALL,TRAINING="$TRAINING",SHARDS="$SHARDS",OUT="$OUT" "$here/plan-array.sbatch")
echo "array job $array ($SHARDS shards of fresh paths), after the training"
# WAIT=1: block until the merge has finished (its exit status is this script's).
merge=$(sbatch --parsable ${WAIT:+--wait} --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
    --export=ALL,OUT="$OUT",RESULTS="$RESULTS" "$here/plan-merge.sbatch")
echo "merge job $merge"
