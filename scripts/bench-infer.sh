#!/usr/bin/env bash
# Benchmark of infer, in one run (about 4 minutes once built; loopback only, every load bounded in time):
#   1. the floor: bare ONNX Runtime (tensor + session.run + outputs, 1 intra-op thread) for the served MLP and CNN;
#   2. infer over HTTP (OIP v2 REST, JDK 17): MLP at concurrency 1 (p50, p99), then MLP and CNN at concurrency 64
#      with dynamic batching (max-batch-size 64) and without it (max-batch-size 1);
#   3. cold start, process start -> first successful inference (model loaded), median of 5:
#      JDK 17 fast-jar, JDK 25 fast-jar, JDK 25 aot-jar with the AOT cache (scripts/build-aot.sh: recorded under 300
#      real OIP inferences, ONNX Runtime's libraries pre-extracted, Serial GC) tiered and C1-only, and the infer
#      container of `scripts/build-images.sh --local` under the Knative hardening (podman, root; else skipped);
#      then what C1-only costs in steady state (concurrency-64 load on the AOT server, tiered vs C1-only).
# The model is trained by `scripts/run-local.sh --once` (2,000 digits, 3 rounds) into BENCH_HOME, or reused;
# the CNN is the CNN family's ONNX export (conv 16/32, dense 128) with seeded untrained weights (no CNN training run).
# The last line is one JSON object with the figures. Needs wrk (apt-get install -y wrk), curl, JDK 17 and 25.
#
# Environment: BENCH_HOME (default .cnai/bench), BENCH_PORT (default 18085), BENCH_SECONDS per load run (default 10),
#              BENCH_CNN_MAX_BATCH (default 16), JDK17_HOME, JDK25_HOME.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
home=$(mkdir -p "${BENCH_HOME:-.cnai/bench}" && cd "${BENCH_HOME:-.cnai/bench}" && pwd)
port=${BENCH_PORT:-18085}
secs=${BENCH_SECONDS:-10}
cnn_batch=${BENCH_CNN_MAX_BATCH:-16}   # the CNN's activations outgrow the cache beyond ~32 rows (see the floor sweep)
jdk17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
app=functions/infer/target/quarkus-app
aot_app=functions/infer/target/quarkus-app-aot
started=$(date +%s)
url="http://127.0.0.1:$port"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
log() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

pid=""
cleanup() { if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

# --- build (once) ------------------------------------------------------------------------------------------------
if [[ ! -f "$app/quarkus-run.jar" || ! -d functions/infer/target/test-classes/dev/cnai/functions/infer/bench \
      || ! -f cli/target/cnai-cli-0.1.0-SNAPSHOT.jar ]]; then
  log "building (mvn -B -q -DskipTests package)"
  JAVA_HOME=$jdk17 mvn -B -q -DskipTests package
fi
cp="functions/infer/target/test-classes:$app/lib/main/*:$app/app/*"
bench() { "$jdk17/bin/java" -cp "$cp" dev.cnai.functions.infer.bench.InferBench "$@"; }

# --- model -------------------------------------------------------------------------------------------------------
registry="$home/run/registry"
if [[ ! -d "$registry/mnist-mlp" ]]; then
  log "training the MLP: scripts/run-local.sh --once --limit 2000 --rounds 3"
  JAVA_HOME=$jdk17 scripts/run-local.sh --once --home "$home/run" --limit 2000 --rounds 3 --port-base 18180 >&2
fi
if [[ ! -d "$registry/mnist-cnn" ]]; then
  bench make-cnn "$registry" mnist-cnn >&2
fi
if [[ ! -f "$aot_app/app.aot" || "$aot_app/app.aot" -ot "$app/quarkus-run.jar" || ! -d "$aot_app/native" ]]; then
  log "building the JDK 25 aot-jar and recording its AOT cache (scripts/build-aot.sh infer)"
  scripts/build-aot.sh infer --registry "$registry" --model mnist-mlp >&2
fi
body="$home/mnist-one.json"
bench oip-body "$home/run/store" "$body"
cat > "$home/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$body", "rb"); wrk.body = f:read("*a"); f:close()
LUA

# --- 1. floor ----------------------------------------------------------------------------------------------------
log "floor: bare ONNX Runtime session.run  (uptime: $(uptime | sed 's/.*load/load/'))"
floor_mlp=$(bench floor "$registry" mnist-mlp "$body" 6)
floor_cnn=$(bench floor "$registry" mnist-cnn "$body" 6)
log "  $floor_mlp"
log "  $floor_cnn"

# --- 2. HTTP -----------------------------------------------------------------------------------------------------
serve() { # model max-batch-size
  cleanup
  "$jdk17/bin/java" -Dcnai.registry="$registry" -Dcnai.infer.model="$1" -Dcnai.infer.batching.max-batch-size="$2" \
    -Dquarkus.http.port="$port" -jar "$app/quarkus-run.jar" > "$home/infer-$1-$2.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "$url/v2/models/$1/ready" && break
    sleep 0.05
  done
  curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$body" "$url/v2/models/$1/infer"
  wrk -t2 -c64 -d3s -s "$home/post.lua" "$url/v2/models/$1/infer" > /dev/null   # warm-up (JIT)
}
us() { # wrk latency value (e.g. 85.00us, 1.20ms, 2.00s) -> microseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1e6; else print n }'
}
load() { # model threads connections -> "rps p50_us p99_us non2xx"
  local out
  out=$(wrk -t"$2" -c"$3" -d"${secs}s" --latency -s "$home/post.lua" "$url/v2/models/$1/infer")
  echo "$out" | sed 's/^/    /' >&2
  local rps p50 p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/ { printf "%.0f", $2 }')
  p50=$(us "$(echo "$out" | awk '$1 == "50%" { print $2 }')")
  p99=$(us "$(echo "$out" | awk '$1 == "99%" { print $2 }')")
  bad=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  echo "$rps $p50 $p99 ${bad:-0}"
}

log "HTTP: MLP, dynamic batching on (max-batch-size 64)  (uptime: $(uptime | sed 's/.*load/load/'))"
serve mnist-mlp 64
read -r mlp_c1_rps mlp_c1_p50 mlp_c1_p99 mlp_c1_bad < <(load mnist-mlp 1 1)
read -r mlp_b_rps mlp_b_p50 mlp_b_p99 mlp_b_bad < <(load mnist-mlp 2 64)
batch_metrics=$(curl -s "$url/q/metrics" | grep -E '^cnai_infer_(batch_size_rows|queue_time_seconds)_(count|sum)' | tr '\n' ' ')
log "  metrics: $batch_metrics"
log "HTTP: MLP, batching off (max-batch-size 1)"
serve mnist-mlp 1
read -r mlp_1_rps mlp_1_p50 mlp_1_p99 mlp_1_bad < <(load mnist-mlp 2 64)
log "HTTP: CNN, batching on (max-batch-size $cnn_batch), then off  (uptime: $(uptime | sed 's/.*load/load/'))"
serve mnist-cnn "$cnn_batch"
read -r cnn_b_rps cnn_b_p50 cnn_b_p99 cnn_b_bad < <(load mnist-cnn 2 64)
serve mnist-cnn 1
read -r cnn_1_rps cnn_1_p50 cnn_1_p99 cnn_1_bad < <(load mnist-cnn 2 64)
cleanup; pid=""

# --- 3. cold start -----------------------------------------------------------------------------------------------
# The poller must not compete with the JVM it times (2 cores): it connects with bash's /dev/tcp (no process) every
# 2 ms until the port accepts, sleeps with `read -t` on a pipe (no process), and only then asks with curl, which
# infer answers 503 until the start-up load is done.
exec {nap}<> <(:)
nap() { read -r -t "$1" -u "$nap" _ || true; }
first_inference() { # pid -> returns once infer answered 200, or 1 if the process died
  until { exec {probe}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; do
    kill -0 "$1" 2>/dev/null || return 1
    nap 0.002
  done
  exec {probe}>&-
  until curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$body" \
      "$url/v2/models/mnist-mlp/infer" 2>/dev/null; do
    kill -0 "$1" 2>/dev/null || return 1
    nap 0.002
  done
}
cold() { # java_home app_dir extra-jvm-flags... -> ms from exec to the first 200 from infer (run from app_dir, as recorded)
  local jh=$1 dir=$2; shift 2
  local t0 t1
  t0=$(date +%s%N)
  (cd "$dir" && exec "$jh/bin/java" "$@" -Dcnai.registry="$registry" -Dcnai.infer.model=mnist-mlp \
    -Dquarkus.http.port="$port" -jar quarkus-run.jar) > "$home/cold.log" 2>&1 &
  pid=$!
  first_inference "$pid" || { cat "$home/cold.log" >&2; return 1; }
  t1=$(date +%s%N)
  cleanup; pid=""
  echo $(( (t1 - t0) / 1000000 ))
}
# The container: the infer image of `scripts/build-images.sh --local` (its own AOT cache, JAVA_OPTS as built) under
# the Knative hardening of scripts/run-containers.sh, the registry mounted read-only; from `podman run` to the first
# 200. Skipped (null) without root, podman or the image.
image=localhost/cnai/infer:0.1.0-SNAPSHOT
containers=false
if [[ $(id -u) -eq 0 ]] && command -v podman >/dev/null && CONTAINERS_CONF=${CONTAINERS_CONF:-$repo/gpu-runtime-image/containers.conf} podman image exists "$image" 2>/dev/null; then
  containers=true
  export CONTAINERS_CONF=${CONTAINERS_CONF:-$repo/gpu-runtime-image/containers.conf}
  chmod -R a+rX "$registry"
fi
cold_container() { # -> ms from `podman run` to the first 200
  local t0 t1 name=cnai-bench-infer-$$
  t0=$(date +%s%N)
  podman run -d --rm --name "$name" --read-only --tmpfs /tmp:rw,size=512m,mode=1777 --cap-drop=ALL \
    --security-opt=no-new-privileges --user=1001:0 --cpus=1 --memory=768m --network=host \
    -v "$registry:/var/lib/cnai/registry:ro" -e CNAI_REGISTRY=/var/lib/cnai/registry -e CNAI_INFER_MODEL=mnist-mlp \
    -e CNAI_STORAGE_ROOT=/tmp/store -e QUARKUS_HTTP_PORT="$port" "$image" > /dev/null
  # the poller's "process alive" check is the podman client's; a container that exits fails the run below
  until curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$body" \
      "$url/v2/models/mnist-mlp/infer" 2>/dev/null; do
    [[ $(podman inspect -f '{{.State.Running}}' "$name" 2>/dev/null) == true ]] || { podman logs "$name" >&2 || true; return 1; }
    nap 0.005
  done
  t1=$(date +%s%N)
  podman rm -f -t 0 "$name" > /dev/null 2>&1 || true
  echo $(( (t1 - t0) / 1000000 ))
}
median5() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
aot=(-XX:AOTCache=app.aot -XX:+UseSerialGC -Donnxruntime.native.path=native)
log "cold start, 5 runs each  (uptime: $(uptime | sed 's/.*load/load/'))"
# C1 only, as the infer image runs (build-images.sh's JIT_OPTS for infer): no C2 compilations competing with the
# start-up for two cores (or one, under the container's CPU limit), and no hsperfdata file.
c1=(-XX:TieredStopAtLevel=1 -XX:-UsePerfData)
declare -a c17 c25 c25aotx c25aot c25c1 ccont
for i in 1 2 3 4 5; do
  c17+=("$(cold "$jdk17" "$app")")
  c25+=("$(cold "$jdk25" "$app")")
  c25aotx+=("$(cold "$jdk25" "$aot_app" -XX:AOTCache=app.aot -XX:+UseSerialGC)")   # ORT extracts its libraries to /tmp
  c25aot+=("$(cold "$jdk25" "$aot_app" "${aot[@]}")")
  c25c1+=("$(cold "$jdk25" "$aot_app" "${aot[@]}" "${c1[@]}")")
  if [[ "$containers" == true ]]; then ccont+=("$(cold_container)"); fi
done
log "  JDK 17 fast-jar:                 ${c17[*]} ms"
log "  JDK 25 fast-jar:                 ${c25[*]} ms"
log "  JDK 25 aot-jar + cache, ORT libraries extracted at start: ${c25aotx[*]} ms"
log "  JDK 25 aot-jar + cache:          ${c25aot[*]} ms"
log "  JDK 25 aot-jar + cache, C1 only: ${c25c1[*]} ms"
log "  container (podman, hardened):    ${ccont[*]:-skipped} ms"

# What C1-only costs once started: the same concurrency-64 load on the AOT server, tiered and C1-only.
steady() { # extra flags... -> rps
  cleanup
  (cd "$aot_app" && exec "$jdk25/bin/java" "${aot[@]}" "$@" -Dcnai.registry="$registry" -Dcnai.infer.model=mnist-mlp \
    -Dquarkus.http.port="$port" -jar quarkus-run.jar) > "$home/steady.log" 2>&1 &
  pid=$!
  first_inference "$pid" || { cat "$home/steady.log" >&2; return 1; }
  wrk -t2 -c64 -d10s -s "$home/post.lua" "$url/v2/models/mnist-mlp/infer" > /dev/null   # warm-up long enough for C2
  local r
  read -r r _ < <(load mnist-mlp 2 64)
  cleanup; pid=""
  echo "$r"
}
log "steady state on JDK 25 + AOT cache, MLP, concurrency 64: tiered, then C1 only"
steady_tiered=$(steady)
steady_c1=$(steady "${c1[@]}")
log "  tiered $steady_tiered inferences/s, C1 only $steady_c1 inferences/s"
c17m=$(median5 "${c17[@]}")
cold_ratio=$(awk -v a="$(median5 "${c25aot[@]}")" -v b="$c17m" 'BEGIN { printf "%.2f", a / b }')
cold_ratio_c1=$(awk -v a="$(median5 "${c25c1[@]}")" -v b="$c17m" 'BEGIN { printf "%.2f", a / b }')
log "  cold start ratio to JDK 17: AOT $cold_ratio, AOT + C1 only $cold_ratio_c1"
if [[ "$containers" == true ]]; then cont_json=$(median5 "${ccont[@]}"); cont_runs="[$(IFS=,; echo "${ccont[*]}")]"; else cont_json=null; cont_runs=null; fi

ratio=$(awk -v b="$cnn_b_rps" -v o="$cnn_1_rps" 'BEGIN { printf "%.2f", (o > 0 ? b / o : 0) }')
mlp_floor_p50=$(echo "$floor_mlp" | sed -E 's/.*"batch1_p50_us":([0-9.]+).*/\1/')
gap=$(awk -v h="$mlp_c1_p50" -v f="$mlp_floor_p50" 'BEGIN { printf "%.0f", h - f }')
log "done in $(( $(date +%s) - started )) s"
cat <<JSON
{"uptime_load":"$(uptime | sed 's/.*average: //')","floor_mlp":$floor_mlp,"floor_cnn":$floor_cnn,"mlp_c1_p50_us":$mlp_c1_p50,"mlp_c1_p99_us":$mlp_c1_p99,"mlp_c1_http_minus_floor_p50_us":$gap,"mlp_c64_batched_rps":$mlp_b_rps,"mlp_c64_batched_p99_us":$mlp_b_p99,"mlp_c64_batch1_rps":$mlp_1_rps,"mlp_c64_batch1_p99_us":$mlp_1_p99,"cnn_c64_batched_rps":$cnn_b_rps,"cnn_c64_batched_p99_us":$cnn_b_p99,"cnn_c64_batch1_rps":$cnn_1_rps,"cnn_c64_batch1_p99_us":$cnn_1_p99,"cnn_batching_speedup":$ratio,"cnn_max_batch_size":$cnn_batch,"non_2xx":$((mlp_c1_bad + mlp_b_bad + mlp_1_bad + cnn_b_bad + cnn_1_bad)),"cold_start_ms":{"jdk17":$(median5 "${c17[@]}"),"jdk25":$(median5 "${c25[@]}"),"jdk25_aot_ort_extracted":$(median5 "${c25aotx[@]}"),"runs_jdk25_aot_ort_extracted":[$(IFS=,; echo "${c25aotx[*]}")],"jdk25_aot":$(median5 "${c25aot[@]}"),"runs_jdk17":[$(IFS=,; echo "${c17[*]}")],"runs_jdk25":[$(IFS=,; echo "${c25[*]}")],"runs_jdk25_aot":[$(IFS=,; echo "${c25aot[*]}")],"jdk25_aot_c1":$(median5 "${c25c1[@]}"),"runs_jdk25_aot_c1":[$(IFS=,; echo "${c25c1[*]}")],"container":$cont_json,"runs_container":$cont_runs,"ratio_aot_to_jdk17":$cold_ratio,"ratio_aot_c1_to_jdk17":$cold_ratio_c1},"steady_jdk25_aot_c64_rps":{"tiered":${steady_tiered:-null},"c1_only":${steady_c1:-null}},"seconds":$(( $(date +%s) - started ))}
JSON
