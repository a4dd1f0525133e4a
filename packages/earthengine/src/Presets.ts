// Earth Engine products that reproduce the seed datasets: Sentinel-1 GRD, Sentinel-2 L1C/L2A (harmonised),
// SRTM, ESA WorldCover and MODIS tree cover — the stored spec and the declarative operations per slot.
import type { Band } from "@eoforge/core"
import { Presets as StacPresets, type Product } from "@eoforge/stac"
import type * as Operations from "./Operations.ts"
import type { ProductSource } from "./Source.ts"

/** A product read from Earth Engine. */
export interface Preset {
  /** What is stored (bands with their meaning, dtype, resolution, licence). */
  readonly spec: Band.ProductSpec
  /** What is read: asset, operations, Earth Engine band per stored band. */
  readonly source: ProductSource
}

const copernicus = {
  license: "CC-BY-SA-3.0-IGO",
  attribution: "Contains modified Copernicus Sentinel data"
}

/** Sentinel-2 bands as Earth Engine names them, with EOForge's names, description, wavelength, resolution. */
export const sentinel2Bands: ReadonlyArray<
  readonly [ee: string, name: string, description: string, wavelengthNm: number, resolution: number]
> = [
  ["B1", "B01", "Coastal aerosol", 442.7, 60],
  ["B2", "B02", "Blue", 492.4, 10],
  ["B3", "B03", "Green", 559.8, 10],
  ["B4", "B04", "Red", 664.6, 10],
  ["B5", "B05", "Red edge 1", 704.1, 20],
  ["B6", "B06", "Red edge 2", 740.5, 20],
  ["B7", "B07", "Red edge 3", 782.8, 20],
  ["B8", "B08", "NIR", 832.8, 10],
  ["B8A", "B8A", "Narrow NIR", 864.7, 20],
  ["B9", "B09", "Water vapour", 945.1, 60],
  ["B10", "B10", "SWIR cirrus", 1373.5, 60],
  ["B11", "B11", "SWIR 1", 1613.7, 20],
  ["B12", "B12", "SWIR 2", 2202.4, 20]
]

/** Options of the Sentinel-2 presets. */
export interface S2Options {
  /** Largest `CLOUDY_PIXEL_PERCENTAGE` (default 10, SSL4EO-S12's rule). */
  readonly maxCloud?: number
  /** Mask pixels of these Scene Classification classes (L2A only; e.g. [3, 8, 9, 10]). */
  readonly maskScl?: ReadonlyArray<number>
}

const s2 = (level: "l1c" | "l2a", options: S2Options): Preset => {
  const rows = level === "l1c" ? sentinel2Bands : sentinel2Bands.filter(([ee]) => ee !== "B10")
  const collection = level === "l1c" ? "COPERNICUS/S2_HARMONIZED" : "COPERNICUS/S2_SR_HARMONIZED"
  const operations: Array<Operations.Operation> = [
    { op: "filterDate" },
    { op: "filterBounds" },
    { op: "filter", property: "CLOUDY_PIXEL_PERCENTAGE", cmp: "lt", value: options.maxCloud ?? 10 },
    ...(level === "l2a" && options.maskScl !== undefined && options.maskScl.length > 0
      ? [{ op: "cloudMask" as const, band: "SCL", classes: [...options.maskScl] }]
      : []),
    { op: "sort", property: "CLOUDY_PIXEL_PERCENTAGE", ascending: true },
    { op: "first" }
  ]
  return {
    spec: {
      id: level === "l1c" ? "s2l1c" : "s2l2a",
      title:
        level === "l1c"
          ? "Sentinel-2 MSI Level-1C, harmonised (Earth Engine)"
          : "Sentinel-2 MSI Level-2A, harmonised (Earth Engine)",
      dtype: "uint16",
      resolution: 10,
      bands: rows.map(([, name, description, wavelengthNm, resolution]) => ({
        name,
        description,
        wavelengthNm,
        resolution,
        unit: "reflectance",
        nodata: 0,
        scale: 0.0001,
        offset: 0,
        resampling: "nearest"
      })),
      source: collection,
      ...copernicus
    },
    source: { asset: { collection }, operations, bands: rows.map(([ee]) => ee), dtype: "uint16" }
  }
}

/** Sentinel-2 Level-1C, `COPERNICUS/S2_HARMONIZED` (13 bands, DN; offsets of baseline 04.00 removed by the harmonised collection). */
export const sentinel2L1C = (options: S2Options = {}): Preset => s2("l1c", options)

/** Sentinel-2 Level-2A, `COPERNICUS/S2_SR_HARMONIZED` (12 bands, no B10). */
export const sentinel2L2A = (options: S2Options = {}): Preset => s2("l2a", options)

/** Sentinel-1 GRD, `COPERNICUS/S1_GRD`: σ⁰ in dB (Earth Engine's terrain-corrected, log-scaled product), IW, VV+VH. */
export const sentinel1Grd = (
  options: { readonly orbit?: "ascending" | "descending" } = {}
): Preset => {
  const band = (p: "VV" | "VH"): Band.BandSpec => ({
    name: p,
    description: `${p} backscatter σ⁰`,
    polarisation: p,
    unit: "dB",
    resolution: 10,
    resampling: "nearest"
  })
  const operations: Array<Operations.Operation> = [
    { op: "filterDate" },
    { op: "filterBounds" },
    { op: "filter", property: "instrumentMode", cmp: "eq", value: "IW" },
    { op: "filter", property: "transmitterReceiverPolarisation", cmp: "contains", value: "VV" },
    { op: "filter", property: "transmitterReceiverPolarisation", cmp: "contains", value: "VH" },
    ...(options.orbit === undefined
      ? []
      : [
          {
            op: "filter" as const,
            property: "orbitProperties_pass",
            cmp: "eq" as const,
            value: options.orbit.toUpperCase()
          }
        ]),
    { op: "sort", property: "system:time_start", ascending: true },
    { op: "first" }
  ]
  return {
    spec: {
      id: "s1grd",
      title: "Sentinel-1 C-band SAR GRD, σ⁰ dB (Earth Engine)",
      dtype: "float32",
      resolution: 10,
      bands: [band("VV"), band("VH")],
      source: "COPERNICUS/S1_GRD",
      ...copernicus
    },
    source: {
      asset: { collection: "COPERNICUS/S1_GRD" },
      operations,
      bands: ["VV", "VH"],
      dtype: "float32"
    }
  }
}

/** SRTM 1 arc-second DEM, `USGS/SRTMGL1_003` (an Image asset; the slot window does not apply). */
export const srtm: Preset = {
  spec: {
    id: "dem",
    title: "SRTM 1 arc-second DEM v3 (Earth Engine)",
    dtype: "int16",
    resolution: 30,
    bands: [
      {
        name: "elevation",
        description: "Height above the EGM96 geoid",
        unit: "m",
        resolution: 30,
        resampling: "nearest"
      }
    ],
    source: "USGS/SRTMGL1_003",
    license: "public domain",
    attribution: "NASA / USGS / JPL-Caltech SRTM"
  },
  source: {
    asset: { image: "USGS/SRTMGL1_003" },
    operations: [],
    bands: ["elevation"],
    dtype: "int16"
  }
}

/** ESA WorldCover 10 m v200 (2021), `ESA/WorldCover/v200`, band Map, 11 classes. */
export const esaWorldCover: Preset = {
  spec: {
    id: "worldcover",
    title: "ESA WorldCover 10 m v200 (Earth Engine)",
    dtype: "uint8",
    resolution: 10,
    // The classes, their names and legend colours as the STAC preset gives them (one list for both).
    bands: StacPresets.esaWorldCover.spec.bands,
    source: "ESA/WorldCover/v200",
    license: "CC-BY-4.0",
    attribution: "© ESA WorldCover project 2021 / Contains modified Copernicus Sentinel data (2021)"
  },
  source: {
    asset: { collection: "ESA/WorldCover/v200" },
    operations: [{ op: "filterBounds" }, { op: "mosaic" }],
    bands: ["Map"],
    dtype: "uint8"
  }
}

/** MODIS Vegetation Continuous Fields, `MODIS/061/MOD44B` (yearly, 250 m): percent tree cover. */
export const modisVcf: Preset = {
  spec: {
    id: "treecover",
    title: "MODIS MOD44B v6.1 Vegetation Continuous Fields (Earth Engine)",
    dtype: "uint8",
    resolution: 250,
    bands: [
      {
        name: "Percent_Tree_Cover",
        description: "Percent of the pixel covered by tree canopy",
        unit: "%",
        nodata: 200,
        resolution: 250,
        resampling: "nearest"
      }
    ],
    source: "MODIS/061/MOD44B",
    license: "public domain",
    attribution: "NASA LP DAAC MOD44B v061"
  },
  source: {
    asset: { collection: "MODIS/061/MOD44B" },
    operations: [{ op: "filterDate" }, { op: "first" }],
    bands: ["Percent_Tree_Cover"],
    dtype: "uint8"
  }
}

/** The presets by recipe name. */
export const byName: Readonly<Record<string, Preset>> = {
  "ee-s1-grd": sentinel1Grd(),
  "ee-s2-l1c": sentinel2L1C(),
  "ee-s2-l2a": sentinel2L2A(),
  "ee-srtm": srtm,
  "ee-esa-worldcover": esaWorldCover,
  "ee-modis-vcf": modisVcf
}

/**
 * A preset as a build's product preset (`@eoforge/stac` Product.Preset): the spec and a binding named
 * `earth-engine` from the asset id and each stored band to its Earth Engine band.
 */
export const asProductPreset = (preset: Preset): Product.Preset => {
  const asset = preset.source.asset
  return {
    spec: preset.spec,
    bindings: {
      "earth-engine": {
        collection: "collection" in asset ? asset.collection : asset.image,
        assets: Object.fromEntries(
          preset.spec.bands.map((b, k) => [b.name, preset.source.bands[k]])
        )
      }
    },
    cloudy: preset.source.operations.some(
      (o) => o.op === "filter" && o.property === "CLOUDY_PIXEL_PERCENTAGE"
    ),
    projected: true,
    valueTransform: "none"
  }
}
