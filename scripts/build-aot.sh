#!/usr/bin/env bash
# Packages functions with a JDK 25 AOT cache (Leyden, JEP 514): Maven profile `aot` on JDK 25, which sets
# quarkus.package.jar.aot.enabled=true (aot-jar packaging) and records app.aot in a training start of each
# function (quarkus.package.jar.aot.phase=build). Output: functions/<f>/target/quarkus-app-aot/{quarkus-run.jar,app.aot};
# the default fast-jar in target/quarkus-app/ is left as it is.
#
#   scripts/build-aot.sh                                  all five functions
#   scripts/build-aot.sh infer --registry DIR --model M   infer only; its training start loads model M from DIR,
#                                                         so ONNX Runtime and the model path are in the cache
# Run with the same JDK 25 that built the cache (infer also finds ONNX Runtime's native libraries extracted):
#   cd functions/infer/target/quarkus-app-aot
#   java -XX:AOTCache=app.aot -Donnxruntime.native.path=native --enable-native-access=ALL-UNNAMED -jar quarkus-run.jar
# Environment: JDK25_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
modules=()
recording=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --registry) recording+=("-Dcnai.registry=$(cd "$2" && pwd)"); shift 2 ;;
    --model) recording+=("-Dcnai.infer.model=$2"); shift 2 ;;
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
