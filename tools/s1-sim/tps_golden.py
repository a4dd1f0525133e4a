#!/usr/bin/python3
"""gdalwarp -tps reference for the flat generated GRD (packages/sentinel1/test/fixture/flat).

For every pixel centre of the test patch grid (grid.json), where GDAL's thin-plate spline through the
measurement GeoTIFF's GCPs puts it in the radar image: two coordinate bands (pixel index, line index at
each pixel centre) carrying the GCPs of iw-vv.tiff are warped with -tps -r bilinear -et 0 onto the grid;
the value is then the radar position in pixel-centre indices as GDAL reads the GCPs (GeoTIFF tiepoints
are corner coordinates: a GCP at (p, l) means the corner point, half a pixel before centre p, l).
Writes packages/sentinel1/test/golden/tps-flat.json. Needs Debian python3-gdal.
"""
import json
import os

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
here = os.path.dirname(os.path.abspath(__file__))
fixture = os.path.join(here, "../../packages/sentinel1/test/fixture/flat")
grid = json.load(open(os.path.join(fixture, "grid.json")))
src = gdal.Open(os.path.join(fixture, "measurement/iw-vv.tiff"))
w, h = src.RasterXSize, src.RasterYSize
mem = gdal.GetDriverByName("MEM").Create("", w, h, 2, gdal.GDT_Float64)
cols, rows = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
mem.GetRasterBand(1).WriteArray(cols)
mem.GetRasterBand(2).WriteArray(rows)
mem.SetGCPs(src.GetGCPs(), src.GetGCPSpatialRef())
x0, y0, res, gw, gh = grid["x0"], grid["y0"], grid["resolution"], grid["width"], grid["height"]
out = gdal.Warp(
    "",
    mem,
    format="MEM",
    tps=True,
    resampleAlg="bilinear",
    errorThreshold=0,
    dstSRS=f"EPSG:{grid['epsg']}",
    outputBounds=(x0, y0 - gh * res, x0 + gw * res, y0),
    width=gw,
    height=gh,
    dstNodata=-1e9,
    outputType=gdal.GDT_Float64,
)
pixel = out.GetRasterBand(1).ReadAsArray()
line = out.GetRasterBand(2).ReadAsArray()
result = {
    "generator": "tools/s1-sim/tps_golden.py",
    "gdal": gdal.__version__,
    "grid": grid,
    "pixel": [None if v <= -1e8 else round(float(v), 6) for v in pixel.ravel()],
    "line": [None if v <= -1e8 else round(float(v), 6) for v in line.ravel()],
}
os.makedirs(os.path.join(here, "../../packages/sentinel1/test/golden"), exist_ok=True)
with open(os.path.join(here, "../../packages/sentinel1/test/golden/tps-flat.json"), "w") as f:
    json.dump(result, f)
print("gdal", gdal.__version__, "valid", sum(v is not None for v in result["pixel"]), "of", gw * gh)
