#!/usr/bin/python3
# GDAL side of tools/bench/formats: the same chips as run.ts with gdal.Warp into MEM on one thread (exact
# transform, alpha band = validity). Reads a JSON job on stdin; writes each chip's values (float64) and alpha
# (uint8) to job["out"] and prints chips/s per source as JSON.
import json
import sys
import time

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption("GDAL_NUM_THREADS", "1")
job = json.load(sys.stdin)
result = {}
with open(job["out"], "wb") as out:
    for source in job["sources"]:
        ds = gdal.Open(source["path"])

        def warp(c):
            return gdal.Warp(
                "", ds, format="MEM", dstSRS="EPSG:%d" % c["epsg"],
                outputBounds=(c["x0"], c["y0"] - c["height"] * c["res"], c["x0"] + c["width"] * c["res"], c["y0"]),
                width=c["width"], height=c["height"], resampleAlg=source["resampling"], errorThreshold=0,
                dstAlpha=True, multithread=False, warpOptions=["NUM_THREADS=1"],
            )

        chips = source["chips"]
        for c in chips[:2]:
            warp(c)
        start = time.perf_counter()
        results = [warp(c) for c in chips]
        elapsed = time.perf_counter() - start
        result[source["name"]] = len(chips) / elapsed
        for r in results:
            out.write(r.GetRasterBand(1).ReadAsArray().astype(np.float64).tobytes())
            out.write((r.GetRasterBand(2).ReadAsArray() > 0).astype(np.uint8).tobytes())
print(json.dumps(result))
