#!/usr/bin/env python3
"""Generate EOForge's composite fixtures and their numpy goldens (tools/composite-ref/reference.py).

    /usr/bin/python3 tools/composite-ref/generate.py   # Debian python3-numpy; writes fixtures/composite/

Each variant is a stack of K acquisitions of a B x H x W chip with clouds: every acquisition has random
round clouds (a seeded numpy Generator per variant, so the files are reproducible), every acquisition also
misses a block of rows in its own place (a scene edge), and one rectangle is cloudy in all acquisitions
(pixels with no valid value at all). Float variants also hold NaN values inside valid pixels. Values are
drawn from narrow ranges so that ties and even counts (x.5 medians and means) are frequent.

Files per variant <name> (raw little-endian, C order):
    <name>.stack.bin   values [K, B, H, W] of the variant's dtype
    <name>.mask.bin    uint8 [K, H, W], 1 = valid
    <name>.<rule>.bin  the composite [B, H, W] of each rule (median, mean, min, max, first-valid)
    <name>.count.bin   uint16 [H, W], acquisitions valid per pixel
and manifest.json lists the variants (name, dtype, k, bands, height, width).
"""
import json
import os

import numpy as np

from reference import RULES, composite, count

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "composite")

# name, dtype, K, low, high (value range), NaN fraction (floats), seed
VARIANTS = [
    ("u16-odd", "uint16", 5, 0, 10000, 0.0, 1),
    ("u16-even", "uint16", 6, 900, 940, 0.0, 2),
    ("u16-two", "uint16", 2, 0, 65535, 0.0, 3),
    ("u16-one", "uint16", 1, 0, 10000, 0.0, 4),
    ("u16-many", "uint16", 31, 100, 160, 0.0, 5),
    ("i16-even", "int16", 4, -40, 40, 0.0, 6),
    ("i16-odd", "int16", 7, -32768, 32767, 0.0, 7),
    ("u8-even", "uint8", 8, 0, 255, 0.0, 8),
    ("f32-odd", "float32", 7, -30.0, 5.0, 0.05, 9),
    ("f32-even", "float32", 6, 0.0, 0.4, 0.05, 10),
    ("f32-many", "float32", 26, -25.0, -5.0, 0.02, 11),
]
BANDS, HEIGHT, WIDTH = 3, 20, 24


def clouds(rng, k):
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    mask = np.ones((k, HEIGHT, WIDTH), np.uint8)
    for a in range(k):
        for _ in range(rng.integers(1, 4)):
            cy, cx, r = rng.uniform(0, HEIGHT), rng.uniform(0, WIDTH), rng.uniform(2, 6)
            mask[a][(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = 0
        edge = rng.integers(0, HEIGHT - 3)
        mask[a, edge : edge + 3, :] = 0  # a scene edge: rows without data
    mask[:, 2:5, 3:7] = 0  # cloudy in every acquisition
    return mask


def values(rng, dtype, k, lo, hi, nan):
    shape = (k, BANDS, HEIGHT, WIDTH)
    if np.dtype(dtype).kind == "f":
        v = rng.uniform(lo, hi, shape).astype(dtype)
        v[rng.random(shape) < nan] = np.nan
        return v
    return rng.integers(lo, hi, shape, endpoint=True, dtype=np.int64).astype(dtype)


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = []
    for name, dtype, k, lo, hi, nan, seed in VARIANTS:
        rng = np.random.default_rng(seed)
        stack = values(rng, dtype, k, lo, hi, nan)
        mask = clouds(rng, k)
        stack.astype(stack.dtype.newbyteorder("<")).tofile(os.path.join(OUT, f"{name}.stack.bin"))
        mask.tofile(os.path.join(OUT, f"{name}.mask.bin"))
        for rule in RULES:
            out = composite(stack, mask, rule)
            out.astype(out.dtype.newbyteorder("<")).tofile(os.path.join(OUT, f"{name}.{rule}.bin"))
        count(mask).astype("<u2").tofile(os.path.join(OUT, f"{name}.count.bin"))
        manifest.append(
            {"name": name, "dtype": dtype, "k": k, "bands": BANDS, "height": HEIGHT, "width": WIDTH}
        )
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"numpy": np.__version__, "variants": manifest}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
