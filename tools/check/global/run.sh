#!/usr/bin/env bash
# Build the anywhere-on-Earth check store and compare every chip with gdalwarp -et 0 (Debian gdal-bin).
# Run from the repository root: tools/check/global/run.sh [STORE]   (default /tmp/eoforge-global-check.zarr)
# The catalogue and grids are made by tools/fixtures/make-global-golden.sh and make_global_stac.py.
set -euo pipefail
cd "$(dirname "$0")/../../.."
store="${1:-/tmp/eoforge-global-check.zarr}"
rm -rf "$store"
npx eoforge build tools/check/global/recipe.yaml --out "$store" --log-format json | tail -1
npx node tools/check/gdal-chips.ts "$store" --recipe-dir tools/check/global
