#!/usr/bin/env bash
# Builds the container images of the five functions and the dead-letter sink; with --push pushes them.
#
#   scripts/build-images.sh --local [--tag TAG] [--no-build]
#       podman, no registry: builds a local base image first (once; Debian bookworm minbase by debootstrap, imported
#       with `podman import`, plus a JRE cut from this machine's JDK 25 with jlink), then every JVM image from it
#       with no network inside the builds. Images: localhost/cnai/<function>:TAG and localhost/cnai/dead-letter:TAG.
#       Needs root, podman, runc, debootstrap (its first run reaches a Debian mirror: DEBIAN_MIRROR), a JDK 25
#       (JAVA25_HOME, default /usr/lib/jvm/temurin-25-jdk-amd64).
#   IMAGE_REGISTRY=<registry>/<project> scripts/build-images.sh [--push] [--tag TAG] [--native] [--no-cuda] [--no-build]
#       docker (or podman: DOCKER=podman) with the public base images (or mirrors: --build-arg JVM_IMAGE=…,
#       CUDA_IMAGE=…, BUILDER_IMAGE=…, RUNTIME_IMAGE=…):
#         JVM images (JDK 25 + AOT cache)   $IMAGE_REGISTRY/cnai/<function>:TAG          all five functions
#         CUDA images (ORT CUDA EP)         $IMAGE_REGISTRY/cnai/<function>:TAG-cuda     train-shard, infer (not with --no-cuda)
#         native images (--native)          $IMAGE_REGISTRY/cnai/<function>:TAG-native   all five functions
#         dead-letter sink                  $IMAGE_REGISTRY/cnai/dead-letter:TAG
#       IMAGE_REGISTRY is needed only with --push (default: localhost).
#   --build-arg NAME=VALUE   passed to every build (repeatable)
#
# TAG defaults to the project version (0.1.0-SNAPSHOT), which is what knative/ names; scripts/deploy.sh points the
# manifests at $IMAGE_REGISTRY. --no-build reuses what `mvn package` left in target/. The build context is only
# those target/ outputs (.containerignore). The last lines are the images built.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

push=false native=false build=true cuda=true local=false tag=0.1.0-SNAPSHOT
build_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --local) local=true ;;
    --push) push=true ;;
    --native) native=true ;;
    --no-cuda) cuda=false ;;
    --no-build) build=false ;;
    --tag) tag="$2"; shift ;;
    --build-arg) build_args+=(--build-arg "$2"); shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ "$push" == true ]]; then
  : "${IMAGE_REGISTRY:?set IMAGE_REGISTRY to the registry and project to push to (<registry>/<project>)}"
  [[ "$local" == false ]] || { echo "--local builds for this machine; push with the registry path" >&2; exit 2; }
fi
registry=${IMAGE_REGISTRY:-localhost}

if [[ "$local" == true ]]; then
  docker=podman cuda=false
  # runc (crun refuses this VM's hybrid cgroups) and ulimits a container may have (root's defaults are too high)
  export CONTAINERS_CONF=${CONTAINERS_CONF:-$repo/gpu-runtime-image/containers.conf}
else
  docker=${DOCKER:-docker}
fi
command -v "$docker" >/dev/null || { echo "$docker not found: images need a container engine" >&2; exit 1; }

functions=(preprocess train-shard evaluate register infer)
gpu_functions=(train-shard infer)

if [[ "$build" == true ]]; then
  mvn -B -q -DskipTests package
  if [[ "$native" == true ]]; then
    mvn -B -q -DskipTests package -Dnative -Dquarkus.native.sources-only=true \
      -pl "$(printf 'functions/%s,' "${functions[@]}" | sed 's/,$//')" -am
  fi
fi

images=()
build_image() { # dockerfile image [build-arg...]
  local file=$1 image=$2; shift 2
  echo "building $image ($file)"
  "$docker" build -q -f "gpu-runtime-image/$file" "$@" ${build_args[@]+"${build_args[@]}"} -t "$image" . >/dev/null
  images+=("$image")
}

if [[ "$local" == true ]]; then
  # --- the local base: Debian minbase + a jlinked JRE, built once ----------------------------------------------
  base=localhost/cnai/jre:25
  if ! podman image exists "$base"; then
    rootfs_image=localhost/cnai/debian-minbase:bookworm
    if ! podman image exists "$rootfs_image"; then
      command -v debootstrap >/dev/null || { echo "debootstrap not found (apt-get install debootstrap)" >&2; exit 1; }
      rootfs=$(mktemp -d /var/tmp/cnai-rootfs.XXXXXX)
      echo "debootstrap --variant=minbase bookworm (once; reaches ${DEBIAN_MIRROR:-http://deb.debian.org/debian})"
      debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >/dev/null
      rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
      tar -C "$rootfs" -c . | podman import -q - "$rootfs_image" >/dev/null
      rm -rf "$rootfs"
    fi
    jdk=${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
    [[ -x "$jdk/bin/jlink" ]] || { echo "no JDK 25 at $jdk (set JAVA25_HOME)" >&2; exit 1; }
    # the modules the functions and the sink use (jdeps over their class paths), not the whole JDK
    modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported,jdk.zipfs
    rm -rf target/base-jre && mkdir -p target
    "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
      --output target/base-jre
    echo "building $base (Dockerfile.base: $(du -sh target/base-jre | cut -f1) JRE)"
    podman build -q --network=none -f gpu-runtime-image/Dockerfile.base --build-arg ROOTFS_IMAGE="$rootfs_image" \
      -t "$base" . >/dev/null
  fi
  build_args+=(--build-arg "JVM_IMAGE=$base" --network=none)
fi

# C1 only for infer (measured: scripts/bench-infer.sh, docs/benchmarks.md "Cold start"); the others keep tiered
declare -A jit=([infer]="-XX:TieredStopAtLevel=1 -XX:-UsePerfData")
for f in "${functions[@]}"; do
  build_image Dockerfile.jvm "$registry/cnai/$f:$tag" --build-arg FUNCTION="$f" --build-arg "JIT_OPTS=${jit[$f]:-}"
  if [[ "$native" == true ]]; then
    build_image Dockerfile.native "$registry/cnai/$f:$tag-native" --build-arg FUNCTION="$f"
  fi
done
if [[ "$cuda" == true ]]; then
  # ONNX Runtime's GPU native libraries for the CUDA images, from the onnxruntime_gpu jar of the same version
  ort_version=$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' pom.xml)
  rm -rf target/ort-gpu && mkdir -p target/ort-gpu/lib
  mvn -B -q dependency:copy -Dartifact="com.microsoft.onnxruntime:onnxruntime_gpu:${ort_version}" \
    -DoutputDirectory=target/ort-gpu -Dmdep.stripVersion=true
  (cd target/ort-gpu && unzip -q -o onnxruntime_gpu.jar 'ai/onnxruntime/native/linux-x64/*' \
    && mv ai/onnxruntime/native/linux-x64/* lib/ && rm -rf ai)
  for f in "${gpu_functions[@]}"; do
    build_image Dockerfile.cuda "$registry/cnai/$f:$tag-cuda" --build-arg FUNCTION="$f"
  done
fi
build_image Dockerfile.dead-letter "$registry/cnai/dead-letter:$tag"

if [[ "$push" == true ]]; then
  for i in "${images[@]}"; do "$docker" push "$i"; done
fi
printf '%s\n' "${images[@]}"
