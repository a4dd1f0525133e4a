# The Python peer of tools/bench/network: the same chips as an EOForge build (every band file of every chip
# with data, warped onto the patch's 264 x 264 UTM grid at 10 m, bilinear, as EOForge reads them), read with
# GDAL's /vsicurl/ in a 16-thread pool, configured as a competent user would for COGs on an object store.
# Input: a JSON file of chips {epsg, x0, y0, size, resolution, urls}. Output: one JSON line.
# Usage: /usr/bin/python3 tools/bench/network/peer.py chips.json [threads]
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from osgeo import gdal

gdal.UseExceptions()
for key, value in {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif",
    "VSI_CACHE": "TRUE",
    "VSI_CACHE_SIZE": "50000000",
    "CPL_VSIL_CURL_CACHE_SIZE": "500000000",
    "GDAL_CACHEMAX": "512",
    "GDAL_HTTP_MULTIRANGE": "YES",
    "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "YES",
    "GDAL_HTTP_MULTIPLEX": "YES",
    "GDAL_INGESTED_BYTES_AT_OPEN": "32768",
    "GDAL_HTTP_MAX_RETRY": "8",
    "GDAL_HTTP_RETRY_DELAY": "0.5",
    "GDAL_NUM_THREADS": "1",
}.items():
    gdal.SetConfigOption(key, value)

chips = json.load(open(sys.argv[1]))
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 16
tasks = [(c, url) for c in chips for url in c["urls"]]


def read(task):
    c, url = task
    size = c["size"] * c["resolution"]
    ds = gdal.Warp(
        "",
        "/vsicurl/" + url,
        format="MEM",
        dstSRS="EPSG:%d" % c["epsg"],
        outputBounds=(c["x0"], c["y0"] - size, c["x0"] + size, c["y0"]),
        width=c["size"],
        height=c["size"],
        resampleAlg="bilinear",
        errorThreshold=0,
        multithread=False,
    )
    value = int(ds.GetRasterBand(1).Checksum())
    ds = None
    return value


t0 = time.time()
with ThreadPoolExecutor(threads) as pool:
    sums = list(pool.map(read, tasks))
seconds = time.time() - t0
print(json.dumps({"chips": len(chips), "reads": len(tasks), "seconds": seconds, "threads": threads}))
