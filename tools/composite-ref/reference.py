#!/usr/bin/env python3
"""numpy reference of EOForge's per-pixel composites (@eoforge/composite).

Given a stack of K acquisitions (values [K, bands, H, W], masks [K, H, W] with 1 = valid), each rule is
computed per band and pixel over the valid values -- mask 1 and not NaN -- exactly as numpy's nan*
functions do:

  median       np.nanmedian (an even count: the mean of the two middle values, in float64)
  mean         np.nanmean (float64 sums)
  min, max     np.nanmin, np.nanmax
  first-valid  the value of the first acquisition (stack order = rank order, best first) that is valid

The float64 result is cast back to the stack's dtype: integers are rounded half to even (np.rint, IEEE 754's
default: 2.5 -> 2, 3.5 -> 4) and clipped to the dtype's range; floats are cast (float32: round to nearest).
Band-pixels without any valid value hold the fill: 0 for integers, NaN for floats. `count` is the number of
acquisitions whose mask is 1 at each pixel (uint16).

Used by tools/composite-ref/generate.py (goldens) and tools/bench/composite/run.ts (timing, error).
"""
import warnings

import numpy as np

RULES = ("median", "mean", "min", "max", "first-valid")


def as_nan_stack(stack, mask):
    """float64 copy of stack [K, B, H, W] with NaN where mask [K, H, W] is 0."""
    f = stack.astype(np.float64)
    f[np.broadcast_to((mask == 0)[:, None, :, :], f.shape)] = np.nan
    return f


def composite_f64(f, rule):
    """The float64 composite [B, H, W] of a NaN-masked stack [K, B, H, W]."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as wanted
        if rule == "median":
            return np.nanmedian(f, axis=0)
        if rule == "mean":
            return np.nanmean(f, axis=0)
        if rule == "min":
            return np.nanmin(f, axis=0)
        if rule == "max":
            return np.nanmax(f, axis=0)
    if rule == "first-valid":
        ok = ~np.isnan(f)
        first = np.argmax(ok, axis=0)
        out = np.take_along_axis(f, first[None], axis=0)[0]
        out[~ok.any(axis=0)] = np.nan
        return out
    raise ValueError(rule)


def cast(v, dtype):
    """Cast a float64 composite to `dtype`: integers rint + clip (fill 0 where NaN), floats as they are."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return v.astype(dtype)
    info = np.iinfo(dtype)
    r = np.clip(np.rint(np.nan_to_num(v, nan=0.0)), info.min, info.max)
    return r.astype(dtype)


def composite(stack, mask, rule):
    """The composite of `stack` [K, B, H, W] under `mask` [K, H, W] in the stack's dtype."""
    return cast(composite_f64(as_nan_stack(stack, mask), rule), stack.dtype)


def count(mask):
    """Acquisitions whose mask is 1, per pixel (uint16)."""
    return mask.astype(np.uint16).sum(axis=0, dtype=np.uint16)
