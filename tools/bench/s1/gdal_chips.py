#!/usr/bin/python3
"""GDAL side of tools/bench/s1: gdalwarp -tps -r bilinear of each chip (VV and VH) from the GCP COGs over HTTP,
one warping thread (GDAL_NUM_THREADS=1, no -multi), in one process so that process start-up is not billed.
GDAL's GTiff driver still reads over /vsicurl through a download thread of its own (multi-range AdviseRead):
cpuSeconds is the whole process (both threads), mainThreadCpuSeconds the warping thread alone (DEFLATE
with libdeflate, TPS, bilinear warp); the difference is the download thread.
Usage: gdal_chips.py <chips.json>
  → prints one JSON line {"chips": n, "seconds": s, "cpuSeconds": s, "mainThreadCpuSeconds": s}"""
import json
import sys
import time

from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption("GDAL_NUM_THREADS", "1")
gdal.SetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")
spec = json.load(open(sys.argv[1]))


def warp(chip):
    for url in spec["urls"]:
        gdal.Warp(
            "",
            "/vsicurl/" + url,
            format="MEM",
            tps=True,
            resampleAlg="bilinear",
            dstSRS=f"EPSG:{chip['epsg']}",
            outputBounds=(chip["x0"], chip["y0"] - 2640, chip["x0"] + 2640, chip["y0"]),
            width=264,
            height=264,
            outputType=gdal.GDT_Float32,
            multithread=False,
        )


# One chip elsewhere before timing, as the EOForge side does (GDAL's /vsicurl header cache).
if "warmup" in spec:
    warp(spec["warmup"])
t = time.perf_counter()
c = time.process_time()
m = time.thread_time()
for chip in spec["chips"]:
    warp(chip)
print(
    json.dumps(
        {
            "chips": len(spec["chips"]),
            "seconds": time.perf_counter() - t,
            "cpuSeconds": time.process_time() - c,
            "mainThreadCpuSeconds": time.thread_time() - m,
        }
    )
)
