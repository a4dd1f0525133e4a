// Built-in products: Sentinel-2 L1C/L2A, Sentinel-1 GRD, Copernicus DEM GLO-30, ESA WorldCover.
// Each maps bands to asset keys per provider that carries it: Earth Search (v1), Planetary Computer, CDSE.
import type { Band } from "@eoforge/core"
import type { Preset } from "./Product.ts"

/** A catalogue provider: id used in bindings and the STAC API root. */
export interface Provider {
  readonly id: string
  readonly url: string
}

/** Element 84 Earth Search v1 (AWS open data; no signing). */
export const earthSearch: Provider = {
  id: "earth-search",
  url: "https://earth-search.aws.element84.com/v1"
}

/** Microsoft Planetary Computer (assets need SAS signing: AssetSigner.layerPlanetaryComputer). */
export const planetaryComputer: Provider = {
  id: "planetary-computer",
  url: "https://planetarycomputer.microsoft.com/api/stac/v1"
}

/**
 * Copernicus Data Space Ecosystem STAC (v1, STAC 1.1). Assets are `s3://eodata/…` JPEG 2000 files (an S3
 * store with its own keys: endpoint https://eodata.dataspace.copernicus.eu, path style) with an `https`
 * alternate behind an OIDC login.
 */
export const cdse: Provider = {
  id: "cdse",
  url: "https://stac.dataspace.copernicus.eu/v1"
}

/**
 * Hosts the presets' assets live on, allowed for every catalogue by default (see Access): Earth Search's
 * AWS open-data buckets (`sentinel-cogs.s3.us-west-2.amazonaws.com`, `copernicus-dem-30m.s3.amazonaws.com`,
 * …) and Planetary Computer's Azure Blob accounts (`sentinel2l2a01.blob.core.windows.net`, …).
 */
export const dataHosts: ReadonlyArray<string> = ["*.amazonaws.com", "*.blob.core.windows.net"]

/**
 * Sentinel-2 MSI bands: name, description, centre wavelength (nm, S2A), native resolution (m), Earth Search
 * key. CDSE's L2A key is the name and the native resolution (`B02_10m`).
 */
export const sentinel2Bands: ReadonlyArray<
  readonly [
    name: string,
    description: string,
    wavelengthNm: number,
    resolution: number,
    earthSearch: string
  ]
> = [
  ["B01", "Coastal aerosol", 442.7, 60, "coastal"],
  ["B02", "Blue", 492.4, 10, "blue"],
  ["B03", "Green", 559.8, 10, "green"],
  ["B04", "Red", 664.6, 10, "red"],
  ["B05", "Red edge 1", 704.1, 20, "rededge1"],
  ["B06", "Red edge 2", 740.5, 20, "rededge2"],
  ["B07", "Red edge 3", 782.8, 20, "rededge3"],
  ["B08", "NIR", 832.8, 10, "nir"],
  ["B8A", "Narrow NIR", 864.7, 20, "nir08"],
  ["B09", "Water vapour", 945.1, 60, "nir09"],
  ["B10", "SWIR cirrus", 1373.5, 60, "cirrus"],
  ["B11", "SWIR 1", 1613.7, 20, "swir16"],
  ["B12", "SWIR 2", 2202.4, 20, "swir22"]
]

/**
 * Sentinel-2's stored radiometry: the scale of processing baseline 04.00 and later (January 2022), i.e.
 * reflectance = (DN − 1000) / 10000 = DN × 0.0001 − 0.1, as Earth Search's sentinel-2-c1-l2a publishes every
 * item. Older items (offset 0) are shifted by +1000 DN; no value is clipped (negative reflectances down to
 * −0.1 survive, which Earth Engine's S2_HARMONIZED, shifting new items by −1000 onto the old scale, loses).
 * Items that declare no `raster:bands` offset (Planetary Computer) get it from their baseline.
 */
export const sentinel2Radiometry = {
  convention:
    "Sentinel-2 harmonised to processing baseline >= 04.00: reflectance = DN * 0.0001 - 0.1 (DN = 10000 * reflectance + 1000; 0 = no data)",
  defaults: [
    { fromBaseline: "00.00", scale: 0.0001, offset: 0 },
    { fromBaseline: "04.00", scale: 0.0001, offset: -0.1 }
  ]
} as const

/**
 * Sentinel-2 L2A's scene classification (`SCL`, 20 m): ESA's classes 0 no data, 1 saturated or defective,
 * 2 dark area pixels, 3 cloud shadows, 4 vegetation, 5 not vegetated, 6 water, 7 unclassified, 8 cloud
 * medium probability, 9 cloud high probability, 10 thin cirrus, 11 snow or ice. Masked by default: 3, 8, 9,
 * 10 — the classes that are clouds or their shadows (class 7 and 2 hold much clear land and water, 11 real
 * snow; a recipe may add them).
 */
export const sentinel2SclLayer = {
  kind: "classes",
  assets: {
    [earthSearch.id]: "scl",
    [planetaryComputer.id]: "SCL",
    [cdse.id]: "SCL_20m",
    default: "scl"
  },
  values: [3, 8, 9, 10],
  resolution: 20
} as const

/**
 * Sentinel-2 L1C's cloud masks: before processing baseline 04.00 the GML cloud mask as Earth Engine rasterises
 * it (`QA60`, 60 m, bit 10 opaque clouds, bit 11 cirrus); from 04.00 (January 2022) the raster
 * `MSK_CLASSI_B00` (60 m, band 1 opaque clouds, 2 cirrus, 3 snow and ice; ESA, "Processing Baseline" and
 * "Level-1C Masks", Sentinel-2 MSI technical guide). Masked by default: opaque clouds and cirrus. Earth
 * Search's L1C items carry neither asset: a recipe's `cloudMask.fallback` decides.
 */
export const sentinel2L1cLayers = [
  {
    kind: "bits",
    assets: { default: "qa60" },
    values: [10, 11],
    resolution: 60,
    untilBaseline: "04.00"
  },
  {
    kind: "bands",
    assets: { default: "msk_classi" },
    values: [1, 2],
    resolution: 60,
    fromBaseline: "04.00"
  }
] as const

const s2 = (level: "l1c" | "l2a"): Preset => {
  const rows = level === "l1c" ? sentinel2Bands : sentinel2Bands.filter(([n]) => n !== "B10")
  const bands: Array<Band.BandSpec> = rows.map(([name, description, wavelengthNm, resolution]) => ({
    name,
    description,
    wavelengthNm,
    resolution,
    unit: "reflectance",
    nodata: 0,
    scale: 0.0001,
    offset: -0.1,
    resampling: "bilinear"
  }))
  const es = Object.fromEntries(rows.map(([name, , , , key]) => [name, key]))
  const collection = level === "l1c" ? "sentinel-2-l1c" : "sentinel-2-l2a"
  return {
    spec: {
      id: level === "l1c" ? "s2l1c" : "s2l2a",
      title:
        level === "l1c"
          ? "Sentinel-2 MSI Level-1C (top of atmosphere)"
          : "Sentinel-2 MSI Level-2A (surface reflectance)",
      dtype: "uint16",
      resolution: 10,
      bands,
      source: collection,
      license: "CC-BY-SA-3.0-IGO",
      attribution: "Contains modified Copernicus Sentinel data",
      radiometry: sentinel2Radiometry
    },
    bindings: {
      [earthSearch.id]: { collection, assets: es },
      // Planetary Computer carries L2A only, with assets named after the bands; CDSE's L2A keys carry the
      // native resolution (its L1C keys are not bound: no published item was at hand to check them).
      ...(level === "l2a"
        ? {
            [planetaryComputer.id]: {
              collection: "sentinel-2-l2a",
              assets: Object.fromEntries(rows.map(([name]) => [name, name]))
            },
            [cdse.id]: {
              collection: "sentinel-2-l2a",
              assets: Object.fromEntries(
                rows.map(([name, , , resolution]) => [name, `${name}_${resolution}m`])
              )
            }
          }
        : {})
    },
    cloudy: true,
    projected: true,
    valueTransform: "none",
    cloudMask: level === "l1c" ? sentinel2L1cLayers : [sentinel2SclLayer]
  }
}

/** Sentinel-2 Level-1C: 13 bands, uint16 DN, harmonised: reflectance = DN × 1e-4 − 0.1 (see sentinel2Radiometry). */
export const sentinel2L1C: Preset = s2("l1c")

/** Sentinel-2 Level-2A: 12 bands (no B10), uint16 DN, harmonised: reflectance = DN × 1e-4 − 0.1. */
export const sentinel2L2A: Preset = s2("l2a")

/** Selection and processing options of the Sentinel-1 GRD preset. */
export interface Sentinel1GrdOptions {
  /** dB (default) or linear backscatter. */
  readonly unit?: "dB" | "linear"
  /** One orbit direction (`sat:orbit_state`). */
  readonly orbit?: "ascending" | "descending"
  /** One relative orbit (`sat:relative_orbit`). */
  readonly relativeOrbit?: number
  /** Instrument mode (`sar:instrument_mode`, default IW). */
  readonly mode?: "IW" | "EW"
  /** Polarisations (default VV+VH; HH+HV for polar EW products). */
  readonly polarisations?: readonly [string, string]
  /** Path or URL of a DEM raster for terrain correction (absent: ellipsoid-only, recorded in provenance). */
  readonly dem?: string
}

/**
 * Sentinel-1 GRD (VV, VH) made as Earth Engine's S1_GRD: thermal noise removed, σ⁰ calibrated, Range-Doppler
 * terrain-corrected onto the patch grid (the `sentinel1-grd` item reader of @eoforge/sentinel1), float32 dB.
 */
export const sentinel1Grd = (options: Sentinel1GrdOptions = {}): Preset => {
  const unit = options.unit ?? "dB"
  const pols = options.polarisations ?? ["VV", "VH"]
  const band = (p: string): Band.BandSpec => ({
    name: p,
    description: `${p} backscatter σ⁰ (thermal noise removed, terrain-corrected)`,
    polarisation: p,
    unit,
    resolution: 10,
    resampling: "bilinear"
  })
  return {
    spec: {
      id: "s1grd",
      title: `Sentinel-1 C-band SAR GRD σ⁰ (${unit})`,
      dtype: "float32",
      resolution: 10,
      bands: pols.map(band),
      source: "sentinel-1-grd",
      license: "CC-BY-SA-3.0-IGO",
      attribution: "Contains modified Copernicus Sentinel data"
    },
    bindings: {
      [earthSearch.id]: {
        collection: "sentinel-1-grd",
        assets: Object.fromEntries(pols.map((p) => [p, p.toLowerCase()]))
      },
      [planetaryComputer.id]: {
        collection: "sentinel-1-grd",
        assets: Object.fromEntries(pols.map((p) => [p, p.toLowerCase()]))
      }
    },
    cloudy: false,
    // GRD is delivered in radar geometry with ground control points; the item's proj:transform is not used.
    projected: false,
    equals: {
      "sar:instrument_mode": options.mode ?? "IW",
      "sar:product_type": "GRD",
      ...(options.orbit === undefined ? {} : { "sat:orbit_state": options.orbit }),
      ...(options.relativeOrbit === undefined
        ? {}
        : { "sat:relative_orbit": options.relativeOrbit })
    },
    polarisations: pols,
    // The reader writes dB (or linear) itself, with a floor where noise exceeds the signal.
    valueTransform: "none",
    reader: "sentinel1-grd",
    ...(options.dem === undefined ? {} : { readerOptions: { dem: options.dem } })
  }
}

/**
 * Planetary Computer's Sentinel-1 RTC: radiometrically terrain-corrected γ⁰ (linear float32 COGs, already
 * map-projected in UTM), read as any COG onto the patch grid and stored in dB.
 */
export const sentinel1Rtc = (options: { readonly unit?: "dB" | "linear" } = {}): Preset => {
  const unit = options.unit ?? "dB"
  const band = (p: "VV" | "VH"): Band.BandSpec => ({
    name: p,
    description: `${p} terrain-flattened backscatter γ⁰ (RTC)`,
    polarisation: p,
    unit,
    resolution: 10,
    resampling: "bilinear",
    nodata: -32768
  })
  return {
    spec: {
      id: "s1rtc",
      title: `Sentinel-1 RTC γ⁰ (${unit})`,
      dtype: "float32",
      resolution: 10,
      bands: [band("VV"), band("VH")],
      source: "sentinel-1-rtc",
      license: "CC-BY-4.0",
      attribution: "Contains modified Copernicus Sentinel data, processed by Catalyst"
    },
    bindings: {
      [planetaryComputer.id]: { collection: "sentinel-1-rtc", assets: { VV: "vv", VH: "vh" } }
    },
    cloudy: false,
    projected: true,
    polarisations: ["VV", "VH"],
    valueTransform: unit === "dB" ? "dB" : "none"
  }
}

/** Copernicus DEM GLO-30: surface height in metres above EGM2008, float32, 30 m. */
export const copernicusDem30: Preset = {
  spec: {
    id: "dem",
    title: "Copernicus DEM GLO-30",
    dtype: "float32",
    resolution: 30,
    bands: [
      {
        name: "DEM",
        description: "Surface height above EGM2008",
        unit: "m",
        resolution: 30,
        resampling: "bilinear"
      }
    ],
    source: "cop-dem-glo-30",
    license: "Copernicus DEM licence",
    attribution:
      "Produced using Copernicus WorldDEM-30 © DLR e.V. 2010-2014 and © Airbus Defence and Space GmbH 2014-2018 provided under COPERNICUS by the European Union and ESA; all rights reserved"
  },
  bindings: {
    [earthSearch.id]: { collection: "cop-dem-glo-30", assets: { DEM: "data" } },
    [planetaryComputer.id]: { collection: "cop-dem-glo-30", assets: { DEM: "data" } }
  },
  cloudy: false,
  projected: true,
  valueTransform: "none"
}

/** ESA WorldCover classes: value, name, legend colour (hex RGB). */
export const worldCoverClasses: ReadonlyArray<
  readonly [value: number, name: string, colour: string]
> = [
  [10, "Tree cover", "#006400"],
  [20, "Shrubland", "#ffbb22"],
  [30, "Grassland", "#ffff4c"],
  [40, "Cropland", "#f096ff"],
  [50, "Built-up", "#fa0000"],
  [60, "Bare / sparse vegetation", "#b4b4b4"],
  [70, "Snow and ice", "#f0f0f0"],
  [80, "Permanent water bodies", "#0064c8"],
  [90, "Herbaceous wetland", "#0096a0"],
  [95, "Mangroves", "#00cf75"],
  [100, "Moss and lichen", "#fae6a0"]
]

/** ESA WorldCover 10 m land cover (11 classes, uint8, 0 = no data), nearest-neighbour resampling. */
export const esaWorldCover: Preset = {
  spec: {
    id: "worldcover",
    title: "ESA WorldCover 10 m",
    dtype: "uint8",
    resolution: 10,
    bands: [
      {
        name: "Map",
        description: "Land cover class",
        nodata: 0,
        resolution: 10,
        resampling: "nearest",
        classes: Object.fromEntries(worldCoverClasses.map(([v, n]) => [String(v), n])),
        classColours: Object.fromEntries(worldCoverClasses.map(([v, , c]) => [String(v), c]))
      }
    ],
    source: "esa-worldcover",
    license: "CC-BY-4.0",
    attribution:
      "© ESA WorldCover project / Contains modified Copernicus Sentinel data processed by the ESA WorldCover consortium"
  },
  // Earth Search v1 has no esa-worldcover collection (its /collections lists none): Planetary Computer only.
  bindings: {
    [planetaryComputer.id]: { collection: "esa-worldcover", assets: { Map: "map" } }
  },
  cloudy: false,
  projected: true,
  valueTransform: "none"
}

/** Every built-in preset by product id (Sentinel-1 in dB, both orbit directions). */
export const all: Readonly<Record<string, Preset>> = {
  s2l1c: sentinel2L1C,
  s2l2a: sentinel2L2A,
  s1grd: sentinel1Grd(),
  s1rtc: sentinel1Rtc(),
  dem: copernicusDem30,
  worldcover: esaWorldCover
}
