#!/bin/sh
# Build (or take) an EOForge store, dump it with EOForge, and check it with zarr-python + xarray in the
# Debian trixie chroot at /opt/trixie. Usage (as root, from the repo root):
#   sh tools/zarr-check/run.sh [store-dir] [--plain]
set -eu
CHROOT=${CHROOT:-/opt/trixie}
STORE=${1:-/tmp/eoforge-zarr-check/store.zarr}
if [ ! -f "$STORE/zarr.json" ]; then
  rm -rf "$STORE"
  npx node packages/zarr/test/fixtures/build.ts "$STORE" ${2:-}
fi
npx node tools/zarr-check/dump.ts "$STORE" "$STORE.json"
mountpoint -q "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
rm -rf "$CHROOT/tmp/eoforge-zarr-check" && mkdir -p "$CHROOT/tmp/eoforge-zarr-check"
cp -r "$STORE" "$CHROOT/tmp/eoforge-zarr-check/store.zarr"
cp "$STORE.json" "$CHROOT/tmp/eoforge-zarr-check/dump.json"
cp tools/zarr-check/check.py "$CHROOT/tmp/eoforge-zarr-check/"
chroot "$CHROOT" python3 /tmp/eoforge-zarr-check/check.py /tmp/eoforge-zarr-check/store.zarr /tmp/eoforge-zarr-check/dump.json
