#!/usr/bin/env bash
# Sets up codec-lab on a fresh Debian machine (run as root): installs and starts a Docker engine,
# installs debootstrap, Node dependencies and the build, then builds the sandbox image and the
# worker image (deploy/README.md) offline.
# Safe to run again: every step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
# The dashboard's browser test needs chromium (played by playwright-core); it fails without it.
[ -x /usr/bin/chromium ] || missing+=(chromium)
# `codec-lab plot --out rd.png` draws the chart's labels with DejaVu Sans (src/charts/render.ts).
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# The lint tier (`npm test`) checks the Python files with pyflakes3.
command -v pyflakes3 >/dev/null 2>&1 || missing+=(pyflakes3)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing packages (${missing[*]}): run this script as root, or install them with apt-get"
    exit 2
  fi
  log "installing ${missing[*]} from Debian's archive"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: /var/log/codec-lab-dockerd.log)"
  nohup dockerd >/var/log/codec-lab-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    log "dockerd did not come up in 60 s; see /var/log/codec-lab-dockerd.log"
    exit 3
  fi
fi
log "docker engine: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing Node dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "building (tsc)"
npm run --silent build

log "building the sandbox image if its recipe changed (first time: 2-4 minutes)"
node bin/codec-lab.js image build

log "building the worker image if its inputs changed (deploy/README.md; first time: about 2 minutes)"
scripts/build-worker-image.sh
