// The `aria-gunw` product preset: the four layers of an ARIA Sentinel-1 GUNW standard product (NetCDF-4 group
// `/science/grids/data`, 3 arcsec lat/lon grid with 1-D `latitude`/`longitude`), with units and fill values as
// the product specification gives them. A band's asset is its variable path, read with `#var=`.
import type { Product } from "@eoforge/stac"

/** The binding name of the preset (any `asf-gunw` source key uses it: it is the only one). */
export const binding = "asf-gunw"

/** The GUNW group holding the interferogram layers. */
export const dataGroup = "/science/grids/data"

/**
 * ARIA Sentinel-1 Geocoded Unwrapped Interferogram (GUNW) standard product, layers on the 3″ (~90 m) WGS 84
 * grid, stored as float32 (connected components are int16 in the file; every int16 is exact in float32).
 */
export const ariaGunw: Product.Preset = {
  spec: {
    id: "gunw",
    title: "ARIA Sentinel-1 Geocoded Unwrapped Interferogram (GUNW)",
    dtype: "float32",
    resolution: 90,
    bands: [
      {
        name: "unwrappedPhase",
        description:
          "Unwrapped interferometric phase, secondary to reference (line of sight), relative within each connected component",
        unit: "rad",
        nodata: 0,
        resolution: 90,
        resampling: "bilinear"
      },
      {
        name: "coherence",
        description: "Interferometric coherence magnitude (0–1) of the pair",
        unit: "1",
        nodata: 0,
        resolution: 90,
        resampling: "bilinear"
      },
      {
        name: "connectedComponents",
        description:
          "Connected component of phase unwrapping: 0 = not unwrapped reliably, 1…n = components, -1 = no data",
        unit: "1",
        nodata: -1,
        resolution: 90,
        resampling: "nearest"
      },
      {
        name: "amplitude",
        description: "Radar backscatter amplitude of the reference acquisition",
        unit: "W",
        nodata: 0,
        resolution: 90,
        resampling: "bilinear"
      }
    ],
    source: "aria-s1-gunw",
    license:
      "NASA Earth science data: open, no restrictions on reuse (NASA Earthdata data use policy); source data under the Copernicus Sentinel data terms",
    attribution:
      "ARIA Sentinel-1 Geocoded Unwrapped Interferogram (GUNW) standard product, NASA JPL-Caltech Advanced Rapid Imaging and Analysis (ARIA) project, distributed by the Alaska Satellite Facility DAAC. Contains modified Copernicus Sentinel data, processed by ESA"
  },
  bindings: {
    [binding]: {
      collection: "ARIA S1 GUNW",
      assets: Object.fromEntries(
        ["unwrappedPhase", "coherence", "connectedComponents", "amplitude"].map((v) => [
          v,
          `${dataGroup}/${v}`
        ])
      )
    }
  },
  cloudy: false,
  projected: false,
  valueTransform: "none"
}

/** The presets of this package by recipe preset name. */
export const all: Readonly<Record<string, Product.Preset>> = { "aria-gunw": ariaGunw }
