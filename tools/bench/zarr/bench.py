# zarr-python side of tools/bench/zarr/run.ts: same chips, same shard shape, zstd level 1.
# Usage (inside the trixie chroot): python3 bench.py <chips.u16> <count> <shard_samples> <out_dir>
import json
import shutil
import sys
import time

import numpy as np
import zarr
from zarr.codecs import ZstdCodec

path, count, shard, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
B, H, W = 13, 264, 264
chips = np.fromfile(path, dtype="<u2").reshape(count, 1, B, H, W)
shutil.rmtree(out, ignore_errors=True)
c0 = time.process_time()
t0 = time.perf_counter()
arr = zarr.create_array(
    store=out,
    shape=chips.shape,
    chunks=(1, 1, B, H, W),
    shards=(shard, 1, B, H, W),
    dtype="uint16",
    compressors=ZstdCodec(level=1),
    fill_value=0,
    dimension_names=["sample", "time", "band", "y", "x"],
)
arr[:] = chips
t1 = time.perf_counter()
c1 = time.process_time()
arr = zarr.open_array(out, mode="r")
total = 0
for i in range(count):
    total += int(arr[i, 0].size)
t2 = time.perf_counter()
c2 = time.process_time()
ok = bool(np.array_equal(arr[:], chips))
print(json.dumps({"write_s": t1 - t0, "read_s": t2 - t1, "write_cpu_s": c1 - c0, "read_cpu_s": c2 - c1, "values": total, "equal": ok, "zarr": zarr.__version__}))
