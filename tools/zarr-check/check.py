#!/usr/bin/env python3
# Opens an EOForge store with zarr-python >= 3 and xarray.open_zarr(zarr_format=3, consolidated=False)
# and compares every value with a JSON dump made by EOForge (tools/zarr-check/dump.ts). Exit 0 = all equal.
import json
import sys
import warnings

import numpy as np
import xarray as xr
import zarr

# zarr-python 3.0 warns that vlen-utf8 is not yet in the v3 spec; it reads it (that is what we check).
warnings.filterwarnings("ignore", message="The codec `vlen-utf8`")
store, dump_path = sys.argv[1], sys.argv[2]
dump = json.load(open(dump_path))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("MISMATCH:", what)


root = zarr.open_group(store, mode="r", zarr_format=3)
print("zarr", zarr.__version__, "xarray", xr.__version__)
print("root attributes:", sorted(root.attrs.keys()))
samples = root["samples"]
for s in dump["samples"]:
    i = s["index"]
    check(samples["id"][i] == s["id"], f"samples/id[{i}]")
    for k in ("lon", "lat", "x0", "y0", "epsg", "split"):
        check(samples[k][i] == s[k], f"samples/{k}[{i}]")

for pid in dump["products"]:
    g = root[pid]
    data = g["data"]
    print(pid, "data", data.shape, data.dtype, "chunks", data.chunks, "shards", getattr(data, "shards", None))
    ds = xr.open_zarr(store, group=pid, zarr_format=3, consolidated=False)
    print(pid, "xarray dims", dict(ds.sizes), "vars", sorted(ds.data_vars))
    check(ds["data"].dims == ("sample", "time", "band", "y", "x"), f"{pid} data dims {ds['data'].dims}")
    check(list(ds["band"].values) == g.attrs["bands"], f"{pid} band coordinate")
    zdata = data[...]
    xdata = ds["data"].values
    for s in dump["samples"]:
        i = s["index"]
        p = s["products"][pid]
        expect = np.array([np.nan if v is None else v for v in p["data"]], dtype=zdata.dtype).reshape(p["shape"])
        check(np.array_equal(zdata[i], expect, equal_nan=True), f"{pid}/data[{i}] zarr-python")
        check(np.array_equal(xdata[i], expect, equal_nan=True), f"{pid}/data[{i}] xarray")
        check(list(g["valid"][i]) == p["valid"], f"{pid}/valid[{i}]")
        check(list(g["reason"][i]) == p["reason"], f"{pid}/reason[{i}]")
        check([int(v) for v in g["acquired"][i]] == p["acquired"], f"{pid}/acquired[{i}]")
        check([str(v) for v in g["item"][i]] == p["item"], f"{pid}/item[{i}]")
        cloud = np.array([np.nan if v is None else v for v in p["cloud"]], dtype=np.float32)
        check(np.array_equal(g["cloud"][i], cloud, equal_nan=True), f"{pid}/cloud[{i}]")
    # a single-chip read through the shard index
    check(np.array_equal(data[1, 0], zdata[1, 0]), f"{pid} single chip read")

n = len(dump["samples"])
if failures:
    print(f"FAILED: {len(failures)} mismatches over {n} samples")
    sys.exit(1)
print(f"OK: zarr-python and xarray read {n} samples x {len(dump['products'])} products identically to EOForge")
