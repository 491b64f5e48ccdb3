#!/usr/bin/env bash
# Packages functions with a JDK 25 AOT cache (Leyden, JEP 514): Maven profile `aot` on JDK 25, which sets
# quarkus.package.jar.aot.enabled=true (aot-jar packaging) and records app.aot in a training start of each
# function (quarkus.package.jar.aot.phase=build). Output: functions/<f>/target/quarkus-app-aot/{quarkus-run.jar,app.aot};
# the default fast-jar in target/quarkus-app/ is left as it is.
#
#   scripts/build-aot.sh                                  all five functions
#   scripts/build-aot.sh infer --registry DIR --model M   infer only, and its cache is then recorded while it
#                                                         loads model M from DIR and answers 300 OIP inferences
# Run with the same JDK 25 that built the cache (infer also finds ONNX Runtime's native libraries extracted):
#   cd functions/infer/target/quarkus-app-aot
#   java -XX:AOTCache=app.aot -XX:+UseSerialGC -Donnxruntime.native.path=native -jar quarkus-run.jar
# (the infer recording below runs with the Serial GC, as the images do: a cache is used with the GC it was made with)
# Environment: JDK25_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
modules=()
recording=()
registry=""
model=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --registry) registry=$(cd "$2" && pwd); recording+=("-Dcnai.registry=$registry"); shift 2 ;;
    --model) model=$2; recording+=("-Dcnai.infer.model=$2"); shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) modules+=("functions/$1"); shift ;;
  esac
done
if [[ ${#modules[@]} -eq 0 ]]; then
  modules=(functions/preprocess functions/train-shard functions/evaluate functions/register functions/infer)
fi
args=(-B -q -Paot -DskipTests package -pl "$(IFS=,; echo "${modules[*]}")" -am)
if [[ ${#recording[@]} -gt 0 ]]; then
  args+=("-Dquarkus.package.jar.aot.additional-recording-args=$(IFS=,; echo "${recording[*]}")")
fi
JAVA_HOME=$jdk25 mvn "${args[@]}"
for m in "${modules[@]}"; do
  out="$m/target/quarkus-app-aot"
  ls -l "$out/app.aot"
  # ONNX Runtime extracts its native libraries (28 MB) to a temp dir on every start unless
  # -Donnxruntime.native.path names a directory holding them: ship them extracted beside the jar.
  ort=$(ls "$out"/lib/main/com.microsoft.onnxruntime.onnxruntime-*.jar 2>/dev/null | head -n 1)
  if [[ -n "$ort" ]]; then
    rm -rf "$out/native" && mkdir -p "$out/native"
    (cd "$out/native" && unzip -q -j "$(cd "$repo" && realpath "$ort")" 'ai/onnxruntime/native/linux-x64/*')
    ls "$out/native"
  fi
done

# infer with a model: replace the start-up-only cache by one recorded under a real workload (JEP 514's
# -XX:AOTCacheOutput, Quarkus's "manual AOT file generation"): start from the output directory, load the
# model, answer 300 OIP inferences, stop with SIGTERM; the JVM writes app.aot as it exits.
if [[ -n "$registry" && -n "$model" && " ${modules[*]} " == *" functions/infer "* ]]; then
  out=functions/infer/target/quarkus-app-aot
  port=${AOT_TRAINING_PORT:-18099}
  rm -f "$out/app.aot"
  (cd "$out" && exec "$jdk25/bin/java" -XX:AOTCacheOutput=app.aot -XX:+UseSerialGC -Donnxruntime.native.path=native \
      -Dcnai.registry="$registry" -Dcnai.infer.model="$model" -Dquarkus.http.port="$port" -jar quarkus-run.jar) \
      > "$out/aot-training.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/v2/models/$model/ready" && break
    kill -0 "$pid" 2>/dev/null || { cat "$out/aot-training.log" >&2; exit 1; }
    sleep 0.1
  done
  features=$(curl -sf "http://127.0.0.1:$port/v2/models/$model" | sed -E 's/.*"inputs":\[\{[^]]*"shape":\[-1,([0-9]+)\].*/\1/')
  body='{"inputs":[{"name":"input","shape":[1,'"$features"'],"datatype":"FP32","data":['"$(printf '0,%.0s' $(seq 2 "$features"))"'0]}]}'
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/v2/models/$model/infer"
  done
  curl -sf -o /dev/null "http://127.0.0.1:$port/v2/models/$model"
  curl -sf -o /dev/null "http://127.0.0.1:$port/q/health/ready"
  kill -TERM "$pid"
  wait "$pid" || true
  ls -l "$out/app.aot"
fi
