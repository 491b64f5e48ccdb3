#!/usr/bin/env bash
# Deploys the CNAI Functions to the current kubectl context:
#
#   IMAGE_REGISTRY=<registry>/<project> scripts/deploy.sh OVERLAY [--tag TAG] [--dry-run]
#
# OVERLAY is one of knative/overlays/* (cpu, gpu-mig, kafka-broker, s3). This is `kubectl apply -k
# knative/overlays/OVERLAY` with the images pointed at $IMAGE_REGISTRY (a kustomization made on the fly that
# references the overlay and sets `images`), applied server-side so that the overlay's knative-serving
# config-features entries change only the feature flags it names. --dry-run prints the manifests instead.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

overlay=${1:-}
[[ -n "$overlay" && -f "$repo/knative/overlays/$overlay/kustomization.yaml" ]] || {
  echo "usage: scripts/deploy.sh OVERLAY [--tag TAG] [--dry-run]; overlays: $(ls "$repo/knative/overlays" | tr '\n' ' ')" >&2
  exit 2
}
shift
tag=0.1.0-SNAPSHOT; dry=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tag) tag="$2"; shift ;;
    --dry-run) dry=true ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
: "${IMAGE_REGISTRY:?set IMAGE_REGISTRY to where scripts/build-images.sh pushed the images}"
command -v kubectl >/dev/null || { echo "kubectl not found" >&2; exit 1; }

# kustomize takes relative resource paths only: the wrapper lives in target/ (ignored by git)
work="$repo/target/deploy/$overlay"
rm -rf "$work" && mkdir -p "$work"
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  echo "  - ../../../knative/overlays/$overlay"
  echo "images:"
  for name in preprocess train-shard evaluate register infer dead-letter; do
    echo "  - name: cnai/$name"
    echo "    newName: $IMAGE_REGISTRY/cnai/$name"
  done
} > "$work/kustomization.yaml"
# the manifests carry the project version; --tag swaps it, keeping the -cuda/-native suffixes
kubectl kustomize "$work" \
  | sed "s#\(image: $IMAGE_REGISTRY/cnai/[a-z-]*\):0\.1\.0-SNAPSHOT#\1:$tag#" > "$work/all.yaml"

if [[ "$dry" == true ]]; then
  cat "$work/all.yaml"
  exit 0
fi
kubectl apply --server-side --field-manager=cnai-deploy -f "$work/all.yaml"
echo "deployed overlay $overlay; watch scale to zero with: kubectl get pods -n cnai -w"
