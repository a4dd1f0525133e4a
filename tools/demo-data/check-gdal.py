#!/usr/bin/env python3
# Checks the demo COGs and the writer goldens with GDAL (Debian gdal-bin / python3-gdal), which CI does not have:
# each file is a valid COG, and what gdalinfo reports (size, geotransform, EPSG, band names, nodata) matches the
# STAC item that describes it. Usage: /usr/bin/python3 tools/demo-data/check-gdal.py   (exit 1 on any mismatch)
import glob, json, os, subprocess, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
demo = os.path.join(root, "fixtures", "demo")
validator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py"
failures = []

def gdalinfo(path):
    return json.loads(subprocess.run(["gdalinfo", "-json", path], check=True, capture_output=True, text=True).stdout)

def check(cond, what):
    if not cond:
        failures.append(what)

tifs = sorted(glob.glob(os.path.join(demo, "data", "*", "*.tif")) + glob.glob(os.path.join(demo, "writer-golden", "*.tif")))
for tif in tifs:
    r = subprocess.run([sys.executable, validator, tif], capture_output=True, text=True)
    check(r.returncode == 0 and "is a valid cloud optimized GeoTIFF" in r.stdout, f"{tif}: not a valid COG: {r.stdout}{r.stderr}")

for item_path in sorted(glob.glob(os.path.join(demo, "stac", "*", "items", "*.json"))):
    item = json.load(open(item_path))
    asset = item["assets"]["data"]
    tif = os.path.normpath(os.path.join(os.path.dirname(item_path), asset["href"]))
    info = gdalinfo(tif)
    p = item["properties"]
    t = p["proj:transform"]
    name = item["id"]
    check(info["size"] == [p["proj:shape"][1], p["proj:shape"][0]], f"{name}: size {info['size']} vs proj:shape {p['proj:shape']}")
    check(info["geoTransform"] == [t[2], t[0], t[1], t[5], t[3], t[4]], f"{name}: geoTransform {info['geoTransform']} vs proj:transform {t}")
    check(info["stac"]["proj:epsg"] == p["proj:epsg"], f"{name}: EPSG {info['stac']['proj:epsg']} vs {p['proj:epsg']}")
    bands = asset.get("eo:bands")
    for i, b in enumerate(info["bands"]):
        rb = asset["raster:bands"][i]
        check(b.get("noDataValue") == rb.get("nodata"), f"{name} band {i + 1}: nodata {b.get('noDataValue')} vs {rb.get('nodata')}")
        if bands:
            check(b.get("description") == bands[i]["name"], f"{name} band {i + 1}: description {b.get('description')} vs {bands[i]['name']}")
    print(f"{name}: {info['size'][0]}x{info['size'][1]}x{len(info['bands'])} {info['bands'][0]['type']} EPSG:{info['stac']['proj:epsg']} ok")

# The real products carry the original pixels unchanged.
from osgeo import gdal
import numpy as np
gdal.UseExceptions()
for copy, original in [("data/ls7/ls7-olinda-2001-07-01.tif", "L7_ETMs.tif"), ("data/dem/dem-olinda.tif", "olinda_dem_utm25s.tif")]:
    a = gdal.Open(os.path.join(demo, copy)).ReadAsArray()
    b = gdal.Open(os.path.join(root, "fixtures", "rasters", original)).ReadAsArray()
    check(a.dtype == b.dtype and np.array_equal(a, b), f"{copy}: pixels differ from fixtures/rasters/{original}")
    print(f"{copy}: pixels identical to fixtures/rasters/{original}")

print(f"{len(tifs)} COGs validated")
if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
