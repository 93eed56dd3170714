#!/usr/bin/env bash
# Builds the two images a codec-lab worker host needs, on the local Docker engine:
#  1. the sandbox image the codecs run in (sandbox-image/), tagged by a hash of its recipe;
#  2. the worker image (Dockerfile), tagged codec-lab-worker:latest and codec-lab-worker:<hash>;
#     the image it replaces keeps the tag codec-lab-worker:previous (for a rollback).
#
# Usage: scripts/build-worker-image.sh [--registry] [--mirror URL]
#   default      no registry needed (this is what CI does): the sandbox image with
#                `codec-lab image build` (debootstrap + docker import); the worker on a local
#                base made with debootstrap and this host's Node 20 (deploy/worker-base/),
#                cached by a hash of its recipe, from this checkout's `npm ci` + build, which
#                scripts/setup.sh does. Needs root, debootstrap, Node 20.
#   --registry   a host that can pull from Docker Hub and has no Node (the EC2 host): the
#                worker from node:20-bookworm-slim with npm ci inside, the sandbox image from
#                sandbox-image/Dockerfile on debian:bookworm-slim, tagged as the worker expects.
# Every step is skipped when its image already exists for the same inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[worker-image] %s\n' "$*" >&2; }

mode=offline
mirror=""
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) mode=registry ;;
    --mirror) mirror=${2:?--mirror takes a URL}; shift ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    *) log "unknown argument $1 (see --help)"; exit 2 ;;
  esac
  shift
done

exists() { docker image inspect "$1" >/dev/null 2>&1; }
started=$(date +%s)

# Everything that goes into the worker image, hashed: a rebuild happens only when it changes.
worker_inputs_hash() {
  {
    sha256sum Dockerfile .dockerignore package.json package-lock.json
    find bin src sandbox-image assets -type f -print0 | sort -z | xargs -0 sha256sum
    printf 'base %s\n' "$1"
  } | sha256sum | cut -c1-16
}

tag_worker() {
  local hashed=$1
  if exists codec-lab-worker:latest \
    && [ "$(docker image inspect -f '{{.Id}}' codec-lab-worker:latest)" != "$(docker image inspect -f '{{.Id}}' "$hashed")" ]; then
    docker tag codec-lab-worker:latest codec-lab-worker:previous
  fi
  docker tag "$hashed" codec-lab-worker:latest
}

if [ "$mode" = offline ]; then
  if [ ! -f dist/cli/main.js ] || [ ! -d node_modules ]; then
    log "dist/ or node_modules/ is missing: run scripts/setup.sh (npm ci, build) first"
    exit 2
  fi
  log "0/3 compiling (npm run build) so that dist/ matches src/"
  npm run --silent build
  log "1/3 sandbox image (codec-lab image build; first time 2-4 minutes)"
  node bin/codec-lab.js image build ${mirror:+--mirror "$mirror"}

  node_bin=${NODE_BIN:-$(command -v node)}
  base_hash=$({
    sha256sum deploy/worker-base/build-rootfs.sh
    sha256sum "$(readlink -f "$node_bin")"
    "$node_bin" --version
  } | sha256sum | cut -c1-16)
  base=codec-lab-worker-base:$base_hash
  if exists "$base"; then
    log "2/3 worker base $base is already built"
  else
    log "2/3 worker base $base: debootstrap bookworm minbase + Node $("$node_bin" --version) (1-3 minutes)"
    tmp=$(mktemp -d /var/tmp/codec-lab-worker-base.XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    NODE_BIN=$node_bin deploy/worker-base/build-rootfs.sh "$tmp/rootfs.tar" ${mirror:+"$mirror"}
    docker import "$tmp/rootfs.tar" "$base" >/dev/null
    rm -rf "$tmp"
  fi

  hashed=codec-lab-worker:$(worker_inputs_hash "$(docker image inspect -f '{{.Id}}' "$base")")
  if exists "$hashed"; then
    log "3/3 worker image $hashed is already built"
  else
    log "3/3 worker image $hashed (DEPS=context: this checkout's node_modules and dist, pruned)"
    docker build --network none --build-arg BASE="$base" --build-arg DEPS=context -t "$hashed" .
  fi
  tag_worker "$hashed"
else
  hashed=codec-lab-worker:$(worker_inputs_hash registry)
  if exists "$hashed"; then
    log "1/2 worker image $hashed is already built"
  else
    log "1/2 worker image $hashed (node:20-bookworm-slim, npm ci inside)"
    docker build --build-arg DEPS=install -t "$hashed" .
  fi
  tag_worker "$hashed"
  # The tag the worker looks for is a hash of the sandbox recipe: ask the worker image itself.
  sandbox=$(docker run --rm --network none --entrypoint node codec-lab-worker:latest --input-type=module \
    -e "const m = await import('/app/dist/sandbox/image.js'); console.log((await m.imageRefs()).image)")
  if exists "$sandbox"; then
    log "2/2 sandbox image $sandbox is already built"
  else
    log "2/2 sandbox image $sandbox (sandbox-image/Dockerfile on debian:bookworm-slim)"
    docker build -t "$sandbox" sandbox-image
  fi
fi

log "done in $(($(date +%s) - started)) s: codec-lab-worker:latest = $hashed"
