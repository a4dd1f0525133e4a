#!/usr/bin/python3
# A Sentinel-2-tile-like test COG for the raster benchmark: 13 bands uint16, 10 m, EPSG:32631,
# 512 x 512 DEFLATE tiles, nodata 0. Pixels: the Landsat 7 fixture stretched over the tile (smooth
# structure), a per-band gain, plus seeded uniform noise of 0..255 DN so DEFLATE works as on real data.
# Usage: /usr/bin/python3 tools/bench/raster/make_cog.py OUT.tif [SIZE_PX]   (default 5490)
import sys
import numpy as np
from osgeo import gdal

gdal.UseExceptions()
out = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 5490
x0, y0 = 600000.0, 5000040.0  # an S2 tile origin (31UFQ-like)
src = gdal.Open("fixtures/rasters/L7_ETMs.tif")
mem = gdal.GetDriverByName("MEM").Create("", size, size, 13, gdal.GDT_UInt16)
mem.SetGeoTransform((x0, 10.0, 0.0, y0, 0.0, -10.0))
mem.SetProjection("EPSG:32631")
rng = np.random.default_rng(42)
base = gdal.Warp("", src, format="MEM", width=size, height=size, resampleAlg="bilinear")
for b in range(13):
    band = base.GetRasterBand(b % 6 + 1).ReadAsArray().astype(np.uint32)
    noise = rng.integers(0, 256, size=(size, size), dtype=np.uint32)
    data = np.clip(band * (20 + 3 * b) + noise + 1, 1, 65535).astype(np.uint16)
    mem.GetRasterBand(b + 1).WriteArray(data)
    mem.GetRasterBand(b + 1).SetNoDataValue(0)
gdal.Translate(out, mem, format="COG", creationOptions=["COMPRESS=DEFLATE", "BLOCKSIZE=512", "OVERVIEWS=NONE", "NUM_THREADS=2"])
print(out, size)
