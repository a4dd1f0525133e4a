// CF attributes of a store's arrays and groups, as xarray and GDAL read them: the data type, fill value and
// attributes of every per-slot and per-sample array, and the attributes of a product's `data` and group.
import { type Band, Reason, Split } from "@eoforge/core"
import type { ProductLayout, SampleArray, SlotArray } from "../Layout.ts"
import * as Metadata from "../Metadata.ts"

type ArrayMeta = {
  readonly dataType: Metadata.DataType
  readonly fill: number | string | bigint
  readonly attributes: Record<string, unknown>
}

/** Codes and names as CF `flag_values` / `flag_meanings` (names joined by spaces, so no spaces inside). */
export const flags = (pairs: ReadonlyArray<readonly [string, number]>) => ({
  flag_values: pairs.map(([, v]) => v),
  flag_meanings: pairs.map(([n]) => n.replace(/\s+/g, "_")).join(" ")
})

const nanFill = (dataType: Metadata.DataType) => Metadata.cfFillValue(NaN, dataType)

// `_FillValue` attributes are what xarray masks with on Zarr v3 (it ignores the array's fill_value
// unless asked); arrays whose fill is a meaningful code (valid, reason, split) carry none.
export const slotMeta: Record<SlotArray, ArrayMeta> = {
  valid: {
    dataType: "uint8",
    fill: 0,
    attributes: {
      long_name: "chip present",
      description: "1 = chip present, 0 = missing",
      ...flags([
        ["missing", 0],
        ["present", 1]
      ]),
      coordinates: "slot"
    }
  },
  reason: {
    dataType: "uint8",
    fill: 1,
    attributes: {
      long_name: "reason code of the slot",
      description: "reason code of the slot (0 Ok, 1 Pending, …), see @eoforge/core Reason",
      ...flags(Reason.all),
      coordinates: "slot"
    }
  },
  acquired: {
    dataType: "int64",
    fill: Metadata.int64Min,
    attributes: {
      long_name: "acquisition instant",
      description:
        "acquisition instant of the chip; int64 minimum (NaT) where the slot holds no chip",
      units: "milliseconds since 1970-01-01T00:00:00",
      calendar: "proleptic_gregorian",
      _FillValue: Metadata.int64Min,
      coordinates: "slot"
    }
  },
  item: {
    dataType: "string",
    fill: "",
    attributes: {
      long_name: "source item id(s) of the chip",
      description: "source item id(s) of the chip, empty where missing",
      coordinates: "slot"
    }
  },
  cloud: {
    dataType: "float32",
    fill: NaN,
    attributes: {
      long_name: "cloud fraction of the chip",
      description: "cloud fraction of the chip, 0–1",
      units: "1",
      valid_range: [0, 1],
      _FillValue: nanFill("float32"),
      coordinates: "slot"
    }
  },
  baseline: {
    dataType: "string",
    fill: "",
    attributes: {
      long_name: "processing baseline of the chip's source item",
      description:
        "processing baseline of the source item (s2:processing_baseline or processing:version), empty where unknown or missing",
      coordinates: "slot"
    }
  },
  scale: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      long_name: "source scale of the chip",
      description:
        "scale the source item declared (or its baseline implies): physical = read × scale + offset; the stored values were converted to the product's scale and offset (group attributes)",
      _FillValue: nanFill("float64"),
      coordinates: "slot"
    }
  },
  offset: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      long_name: "source offset of the chip",
      description: "offset the source item declared (or its baseline implies), see scale",
      _FillValue: nanFill("float64"),
      coordinates: "slot"
    }
  },
  patchCloud: {
    dataType: "float32",
    fill: NaN,
    attributes: {
      long_name: "masked cloud fraction of the chip",
      description:
        "fraction 0–1 of the chip's pixels with data that the cloud mask (after dilation) removed; the scene's cloud cover where maskSource is 2 (the item had no quality layer); NaN where missing",
      units: "1",
      valid_range: [0, 1],
      _FillValue: nanFill("float32"),
      coordinates: "slot"
    }
  },
  maskSource: {
    dataType: "uint8",
    fill: 0,
    attributes: {
      long_name: "source of patchCloud",
      description:
        "0 no chip, 1 the item's quality layer (per-pixel mask applied), 2 the scene's cloud cover (fallback: no quality layer, no pixel masked)",
      ...flags([
        ["none", 0],
        ["quality_layer", 1],
        ["scene_cover", 2]
      ]),
      coordinates: "slot"
    }
  },
  nodata: {
    dataType: "float32",
    fill: NaN,
    attributes: {
      long_name: "nodata fraction of the chip",
      description: "nodata fraction of the chip, 0–1",
      units: "1",
      valid_range: [0, 1],
      _FillValue: nanFill("float32"),
      coordinates: "slot"
    }
  }
}

export const sampleMeta: Record<SampleArray, ArrayMeta> = {
  id: { dataType: "string", fill: "", attributes: { description: "stable patch id" } },
  lon: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      standard_name: "longitude",
      units: "degrees_east",
      description: "patch centre, WGS 84",
      _FillValue: nanFill("float64")
    }
  },
  lat: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      standard_name: "latitude",
      units: "degrees_north",
      description: "patch centre, WGS 84",
      _FillValue: nanFill("float64")
    }
  },
  epsg: {
    dataType: "int32",
    fill: 0,
    attributes: { description: "EPSG code of the patch CRS (0 = PROJ string)" }
  },
  x0: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      units: "m",
      description: "upper-left corner easting, patch CRS",
      _FillValue: nanFill("float64")
    }
  },
  y0: {
    dataType: "float64",
    fill: NaN,
    attributes: {
      units: "m",
      description: "upper-left corner northing, patch CRS",
      _FillValue: nanFill("float64")
    }
  },
  split: {
    dataType: "uint8",
    fill: 255,
    attributes: {
      description: "0 train, 1 val, 2 test, 255 guard/unused",
      ...flags(Object.entries(Split.Split))
    }
  }
}

/** A value every band shares, or undefined. */
const common = <T>(values: ReadonlyArray<T | undefined>): T | undefined =>
  values.length > 0 && values[0] !== undefined && values.every((v) => v === values[0])
    ? values[0]
    : undefined

/**
 * CF attributes of a product's `data` as xarray's decoder reads them: `_FillValue` when the bands share a
 * nodata value (NaN for float products without one), `scale_factor`/`add_offset`/`units` when shared, and
 * `flag_values`/`flag_meanings` for a class band. Per-band values stay in the group attributes.
 */
export const dataAttributes = (p: ProductLayout): Record<string, unknown> => {
  const bands = p.spec.bands
  const float = p.spec.dtype === "float32" || p.spec.dtype === "float64"
  const nodata = common(bands.map((b) => b.nodata))
  const fill = nodata ?? (float ? NaN : undefined)
  const scale = common(bands.map((b) => b.scale))
  const offset = common(bands.map((b) => b.offset))
  const unit = common(bands.map((b) => b.unit))
  const classes = bands.length === 1 ? bands[0].classes : undefined
  return {
    long_name: p.spec.title ?? p.spec.id,
    bands: bands.map((b) => b.name),
    resolution_m: p.spec.resolution,
    ...(fill === undefined ? {} : { _FillValue: Metadata.cfFillValue(fill, p.spec.dtype) }),
    ...(scale === undefined || scale === 1 ? {} : { scale_factor: scale }),
    ...(offset === undefined || offset === 0 ? {} : { add_offset: offset }),
    ...(unit === undefined ? {} : { units: unit }),
    ...(classes === undefined
      ? {}
      : flags(
          Object.entries(classes)
            .map(([k, v]) => [v, Number(k)] as const)
            .sort((a, b) => a[1] - b[1])
        )),
    coordinates: "slot"
  }
}

/** The product group's attributes: band meanings, units, nodata, scale/offset, source and licence. */
export const productAttributes = (p: ProductLayout): Record<string, unknown> => {
  const bands = p.spec.bands
  const col = <K extends keyof Band.BandSpec>(k: K) => bands.map((b) => b[k] ?? null)
  return {
    id: p.spec.id,
    title: p.spec.title ?? p.spec.id,
    dtype: p.spec.dtype,
    resolution_m: p.spec.resolution,
    height: p.height,
    width: p.width,
    times: p.times,
    bands: bands.map((b) => b.name),
    descriptions: col("description"),
    wavelengths_nm: col("wavelengthNm"),
    polarisations: col("polarisation"),
    units: col("unit"),
    nodata: col("nodata"),
    scale: col("scale"),
    offset: col("offset"),
    resampling: col("resampling"),
    band_specs: bands,
    source: p.spec.source ?? null,
    license: p.spec.license ?? null,
    attribution: p.spec.attribution ?? null,
    ...(p.spec.radiometry === undefined ? {} : { radiometry: p.spec.radiometry }),
    ...(p.spec.cloudMask === undefined ? {} : { cloud_mask: p.spec.cloudMask }),
    ...(p.spec.output === undefined ? {} : { output: p.spec.output }),
    compression: p.compression
  }
}
