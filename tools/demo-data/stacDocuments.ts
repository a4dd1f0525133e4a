// The STAC pieces of generate.ts's demo catalogue: versions and extensions, a demo product, footprints in
// lon/lat, eo/raster band objects, providers and the JSON layout of every document.
import type { Band, Chip } from "@eoforge/core"
import type * as GeoTiffWriter from "../../packages/raster/src/GeoTiffWriter.ts"
import proj4 from "proj4"

// SIRGAS 2000 / UTM 25S; SIRGAS 2000 coincides with WGS 84 at the metre level, which the footprints need.
const UTM25S = "+proj=utm +zone=25 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs"
export const STAC = "1.0.0"
export const EXT = {
  proj: "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
  eo: "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
  raster: "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
  classification: "https://stac-extensions.github.io/classification/v1.1.0/schema.json",
  itemAssets: "https://stac-extensions.github.io/item-assets/v1.0.0/schema.json"
}
// Landsat 7 launch to the ETM+ scan-line-corrector failure: the real scene (no SLC gaps) falls inside.
export const LS7_ERA = ["1999-04-15T00:00:00Z", "2003-05-31T00:00:00Z"] as const
export const COG = "image/tiff; application=geotiff; profile=cloud-optimized"

export interface Product {
  readonly id: string
  readonly title: string
  readonly description: string
  readonly synthetic: boolean
  readonly bands: ReadonlyArray<Band.BandSpec & { common?: string; fwhm?: number }>
  readonly dtype: "uint8" | "float32"
  readonly overviews: GeoTiffWriter.OverviewResampling
  readonly platform?: string
  readonly items: ReadonlyArray<{
    readonly id: string
    readonly datetime: string
    readonly chip: Chip.Chip
    readonly cloudCover?: number
    readonly derivedFrom?: string
  }>
}

const toLonLat = proj4(UTM25S, "EPSG:4326")
export const round = (v: number, digits: number): number => Number(v.toFixed(digits))

export const footprint = (chip: Chip.Chip) => {
  const { x0, y0, resolution, width, height } = chip.grid
  const x1 = x0 + width * resolution
  const y1 = y0 - height * resolution
  const ring = [
    [x0, y0],
    [x0, y1],
    [x1, y1],
    [x1, y0],
    [x0, y0]
  ].map(([x, y]) => toLonLat.forward([x, y]).map((v) => round(v, 7)))
  const lons = ring.map((p) => p[0])
  const lats = ring.map((p) => p[1])
  return {
    geometry: { type: "Polygon", coordinates: [ring] },
    bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)],
    projBbox: [x0, y1, x1, y0]
  }
}

export const eoBands = (p: Product) =>
  p.bands.map((b) => ({
    name: b.name,
    ...(b.description === undefined ? {} : { description: b.description }),
    ...(b.common === undefined ? {} : { common_name: b.common }),
    ...(b.wavelengthNm === undefined ? {} : { center_wavelength: b.wavelengthNm / 1000 }),
    ...(b.fwhm === undefined ? {} : { full_width_half_max: b.fwhm / 1000 })
  }))

export const rasterBands = (p: Product, resolution: number) =>
  p.bands.map((b) => ({
    ...(b.nodata === undefined ? {} : { nodata: b.nodata }),
    data_type: p.dtype,
    spatial_resolution: resolution,
    ...(b.unit === undefined ? {} : { unit: b.unit })
  }))

export const PROVIDERS_REAL = [
  {
    name: "U.S. Geological Survey (Landsat 7 ETM+)",
    roles: ["producer", "licensor"],
    url: "https://www.usgs.gov/landsat-missions"
  },
  {
    name: "R package stars (Pebesma et al.), via Debian r-cran-stars 0.6-0-4",
    roles: ["processor", "host"],
    url: "https://cran.r-project.org/package=stars"
  }
]
export const PROVIDER_EOFORGE = {
  name: "EOForge demo generator (tools/demo-data/generate.ts)",
  roles: ["processor"],
  url: "https://github.com/eoforge/eoforge"
}

export const json = (value: unknown): string => JSON.stringify(value, null, 2) + "\n"
