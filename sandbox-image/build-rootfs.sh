#!/usr/bin/env bash
# Builds the sandbox's Debian bookworm root filesystem with debootstrap and writes it
# as an uncompressed tar, ready for `docker import`. Needs root and debootstrap.
# Usage: build-rootfs.sh OUT.tar [MIRROR]
set -euo pipefail
out=${1:?usage: build-rootfs.sh OUT.tar [MIRROR]}
mirror=${2:-http://deb.debian.org/debian}
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v debootstrap >/dev/null; then
  echo "debootstrap is missing: run 'apt-get install -y debootstrap'" >&2
  exit 2
fi
if [ "$(id -u)" != 0 ]; then
  echo "building the root filesystem needs root (debootstrap chroots)" >&2
  exit 2
fi

packages=$(grep -v '^\s*#' "$here/packages.txt" | grep -v '^\s*$' | paste -sd, -)
work=$(mktemp -d /var/tmp/codec-lab-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root

echo "[rootfs] debootstrap bookworm (minbase) with: $packages"
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror"

echo "[rootfs] trimming caches and docs"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/* "$root"/tmp/*
find "$root"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'en*' -exec rm -rf {} + 2>/dev/null || true

echo "[rootfs] checking the runtime imports"
chroot "$root" /usr/bin/python3 -c 'import numpy, cv2, torch, sys; print("python", sys.version.split()[0], "numpy", numpy.__version__, "cv2", cv2.__version__, "torch", torch.__version__)'

echo "[rootfs] writing $out"
tar --numeric-owner --xattrs -C "$root" -cf "$out.partial" .
mv "$out.partial" "$out"
echo "[rootfs] done: $(du -h "$out" | cut -f1)"
