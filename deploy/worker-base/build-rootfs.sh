#!/usr/bin/env bash
# The worker's base image where no registry is reachable: a Debian bookworm root filesystem
# (debootstrap, minbase, the same recipe as sandbox-image/build-rootfs.sh) with tini and CA
# certificates, plus this host's Node 20 binary and npm (Debian bookworm's nodejs is 18).
# Writes an uncompressed tar for `docker import`. Needs root and debootstrap.
# Usage: build-rootfs.sh OUT.tar [MIRROR]     (NODE_BIN=/path/to/node to use another node)
set -euo pipefail
out=${1:?usage: build-rootfs.sh OUT.tar [MIRROR]}
mirror=${2:-http://deb.debian.org/debian}
node_bin=${NODE_BIN:-$(command -v node || true)}

if ! command -v debootstrap >/dev/null; then
  echo "debootstrap is missing: run 'apt-get install -y debootstrap'" >&2
  exit 2
fi
if [ "$(id -u)" != 0 ]; then
  echo "building the root filesystem needs root (debootstrap chroots)" >&2
  exit 2
fi
if [ -z "$node_bin" ] || [ "$("$node_bin" -p 'process.versions.node.split(".")[0]')" != 20 ]; then
  echo "the worker base needs a Node 20 binary on this host (NODE_BIN=${node_bin:-unset})" >&2
  exit 2
fi
npm_dir=$(cd "$(dirname "$(readlink -f "$node_bin")")/../lib/node_modules/npm" 2>/dev/null && pwd || true)
if [ -z "$npm_dir" ] || [ ! -f "$npm_dir/bin/npm-cli.js" ]; then
  echo "npm was not found next to $node_bin (expected ../lib/node_modules/npm)" >&2
  exit 2
fi

work=$(mktemp -d /var/tmp/codec-lab-worker-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root

echo "[worker-base] debootstrap bookworm (minbase) with: ca-certificates, tini"
debootstrap --variant=minbase --include=ca-certificates,tini bookworm "$root" "$mirror"

echo "[worker-base] adding Node $("$node_bin" --version) from $node_bin and npm from $npm_dir"
install -m 0755 "$node_bin" "$root/usr/bin/node"
mkdir -p "$root/usr/lib/node_modules"
cp -a "$npm_dir" "$root/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"

echo "[worker-base] trimming caches and docs"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/* "$root"/tmp/*
find "$root"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'en*' -exec rm -rf {} + 2>/dev/null || true

echo "[worker-base] checking the runtime"
chroot "$root" /usr/bin/node -e 'console.log("node", process.version)'
chroot "$root" /usr/bin/npm --version
chroot "$root" /usr/bin/tini --version

echo "[worker-base] writing $out"
tar --numeric-owner --xattrs -C "$root" -cf "$out.partial" .
mv "$out.partial" "$out"
echo "[worker-base] done: $(du -h "$out" | cut -f1)"
