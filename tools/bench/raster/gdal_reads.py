#!/usr/bin/python3
# GDAL side of the raster benchmark: the same chips as run.ts, read with gdal.Warp into MEM datasets on one
# thread (exact transform, nodata honoured). Reads a JSON job on stdin, prints chips/s per mode as JSON.
import json
import sys
import time
from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption("GDAL_NUM_THREADS", "1")
job = json.load(sys.stdin)
# One raster ("cog") or several read per chip ("files": the JP2 row's 13 band files).
datasets = [gdal.Open(f) for f in job["files"]] if "files" in job else [gdal.Open(job["cog"])]
result = {}
for mode in job["modes"]:
    chips = mode["chips"]
    def warp(c, ds):
        return gdal.Warp("", ds, format="MEM", dstSRS="EPSG:%d" % c["epsg"],
                         outputBounds=(c["x0"], c["y0"] - c["height"] * c["res"], c["x0"] + c["width"] * c["res"], c["y0"]),
                         width=c["width"], height=c["height"], resampleAlg=mode["resampling"],
                         errorThreshold=mode["errorThreshold"], multithread=False,
                         warpOptions=["NUM_THREADS=1"])
    for c in chips[:mode.get("warmup", 2)]:
        for ds in datasets:
            warp(c, ds)
    start = time.perf_counter()
    for c in chips:
        for ds in datasets:
            out = warp(c, ds)
            out = None
    elapsed = time.perf_counter() - start
    result[mode["name"]] = len(chips) / elapsed
print(json.dumps(result))
