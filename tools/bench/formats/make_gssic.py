#!/usr/bin/python3
# A GSSIC-like tile for tools/bench/formats: 1° × 1° (N31E035), 1200 × 1200 px at 3", uint8 coherence × 100,
# EPSG:4326, 256² DEFLATE tiles, nodata 0 — the layout of the Global Seasonal Sentinel-1 InSAR Coherence tiles.
# Usage: /usr/bin/python3 tools/bench/formats/make_gssic.py OUT.tif
import sys

import numpy as np
from osgeo import gdal, osr

out = sys.argv[1]
n = 1200
rng = np.random.default_rng(16)
yy, xx = np.mgrid[0:n, 0:n].astype(np.float64)
v = 50 + 30 * np.sin(xx / 37.0) * np.cos(yy / 23.0) + 15 * rng.random((n, n))
ds = gdal.GetDriverByName("GTiff").Create(
    out, n, n, 1, gdal.GDT_Byte, ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE"]
)
ds.SetGeoTransform([35.0, 1.0 / n, 0, 32.0, 0, -1.0 / n])
srs = osr.SpatialReference()
srs.ImportFromEPSG(4326)
ds.SetProjection(srs.ExportToWkt())
band = ds.GetRasterBand(1)
band.SetNoDataValue(0)
band.WriteArray(np.clip(v, 1, 100).astype(np.uint8))
ds = None
