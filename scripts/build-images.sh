#!/usr/bin/env bash
# Builds (and with --push pushes) the container images of the five functions and the dead-letter sink.
#
#   IMAGE_REGISTRY=<registry>/<project> scripts/build-images.sh [--push] [--tag TAG] [--native] [--no-build]
#
#   JVM images (JDK 25 + AOT cache)   $IMAGE_REGISTRY/cnai/<function>:TAG          all five functions
#   CUDA images (ORT CUDA EP)         $IMAGE_REGISTRY/cnai/<function>:TAG-cuda     train-shard, infer
#   native images (--native)          $IMAGE_REGISTRY/cnai/<function>:TAG-native   all five functions
#   dead-letter sink                  $IMAGE_REGISTRY/cnai/dead-letter:TAG
#
# Needs docker (or podman: DOCKER=podman) and network access for the base images. TAG defaults to the project
# version (0.1.0-SNAPSHOT), which is what knative/ names; scripts/deploy.sh points the manifests at
# $IMAGE_REGISTRY. --no-build reuses what `mvn package` left in target/.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

push=false; native=false; build=true; tag=0.1.0-SNAPSHOT
while [[ $# -gt 0 ]]; do
  case "$1" in
    --push) push=true ;;
    --native) native=true ;;
    --no-build) build=false ;;
    --tag) tag="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
: "${IMAGE_REGISTRY:?set IMAGE_REGISTRY to the registry and project to push to, (<registry>/<project>)}"
docker=${DOCKER:-docker}
command -v "$docker" >/dev/null || { echo "$docker not found: images need a container engine" >&2; exit 1; }

functions=(preprocess train-shard evaluate register infer)
gpu_functions=(train-shard infer)
ort_version=$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' pom.xml)

if [[ "$build" == true ]]; then
  mvn -B -q -DskipTests package
  if [[ "$native" == true ]]; then
    mvn -B -q -DskipTests package -Dnative -Dquarkus.native.sources-only=true \
      -pl "$(printf 'functions/%s,' "${functions[@]}" | sed 's/,$//')" -am
  fi
fi

# ONNX Runtime's GPU native libraries for the CUDA images, from the onnxruntime_gpu jar of the same version.
rm -rf target/ort-gpu && mkdir -p target/ort-gpu/lib
mvn -B -q dependency:copy -Dartifact="com.microsoft.onnxruntime:onnxruntime_gpu:${ort_version}" \
  -DoutputDirectory=target/ort-gpu -Dmdep.stripVersion=true
(cd target/ort-gpu && unzip -q -o onnxruntime_gpu.jar 'ai/onnxruntime/native/linux-x64/*' \
  && mv ai/onnxruntime/native/linux-x64/* lib/ && rm -rf ai)

images=()
build_image() { # dockerfile image [build-arg...]
  local file=$1 image=$2; shift 2
  echo "building $image ($file)"
  "$docker" build -f "gpu-runtime-image/$file" "$@" -t "$image" .
  images+=("$image")
}
for f in "${functions[@]}"; do
  build_image Dockerfile.jvm "$IMAGE_REGISTRY/cnai/$f:$tag" --build-arg FUNCTION="$f"
  if [[ "$native" == true ]]; then
    build_image Dockerfile.native "$IMAGE_REGISTRY/cnai/$f:$tag-native" --build-arg FUNCTION="$f"
  fi
done
for f in "${gpu_functions[@]}"; do
  build_image Dockerfile.cuda "$IMAGE_REGISTRY/cnai/$f:$tag-cuda" --build-arg FUNCTION="$f"
done
build_image Dockerfile.dead-letter "$IMAGE_REGISTRY/cnai/dead-letter:$tag"

if [[ "$push" == true ]]; then
  for i in "${images[@]}"; do "$docker" push "$i"; done
fi
printf '%s\n' "${images[@]}"
