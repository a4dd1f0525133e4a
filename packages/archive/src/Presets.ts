// Product presets of tiled archives: band meaning, units, nodata, licence and attribution as the producers
// publish them. The archive's URL is the recipe's (`sources.<key>.url`); a band's `{asset}` is its file key.
import type { Product } from "@eoforge/stac"

/** The binding name of tiled-archive presets (a recipe source of any key uses it: it is the only one). */
export const binding = "tiled-archive"

/**
 * NASA SRTM Global 1 arc second v003 (SRTMGL1): heights above the EGM96 geoid in metres, int16, voids
 * -32768; `.hgt` tiles named by their south-west corner (tiling `one-degree-sw`), e.g.
 * `{tile}.SRTMGL1.hgt.zip#member={tile}.hgt` or `{tile}.hgt`. Acquired 11–22 February 2000.
 */
export const srtmgl1: Product.Preset = {
  spec: {
    id: "srtm",
    title: "NASA SRTM Global 1 arc second (SRTMGL1 v003)",
    dtype: "int16",
    resolution: 30,
    bands: [
      {
        name: "elevation",
        description: "Height above the EGM96 geoid",
        unit: "m",
        nodata: -32768,
        resolution: 30,
        resampling: "bilinear"
      }
    ],
    source: "srtmgl1",
    license: "public domain (NASA; no restrictions on reuse)",
    attribution:
      "NASA JPL (2013). NASA Shuttle Radar Topography Mission Global 1 arc second. NASA EOSDIS Land Processes DAAC. doi:10.5067/MEaSUREs/SRTM/SRTMGL1.003"
  },
  bindings: { [binding]: { collection: "srtmgl1", assets: { elevation: "hgt" } } },
  cloudy: false,
  projected: false,
  valueTransform: "none"
}

// GSSIC metrics read by this preset: VV median coherence per repeat interval and mean backscatter.
const gssicCoherence = ["06", "12", "18", "24", "36", "48"] as const

/**
 * Global Seasonal Sentinel-1 Interferometric Coherence and Backscatter (Kellndorfer et al. 2022): 1° tiles
 * named by their north-west corner (tiling `one-degree-nw`) at 3 arcsec, seasons winter (DJF), spring
 * (MAM), summer (JJA), fall (SON) of Dec 2019–Nov 2020, files `{tile}_{season}_{asset}.tif` (asset e.g.
 * `vv_COH12`). Nodata is digital number 0 in every file (ASF user guide). Scaling as the data set's
 * documentation states it ("Data Types and Scaling Conventions"): coherence is stored as a byte, coherence ×
 * 100 (band `scale` 0.01: physical = DN × 0.01); backscatter as uint16 amplitude DN with γ0 (dB) =
 * 20·log10(DN) − 83, which no linear scale expresses: the DN is stored and the rule named in the description.
 */
export const gssic: Product.Preset = {
  spec: {
    id: "coherence",
    title: "Global Seasonal Sentinel-1 Interferometric Coherence and Backscatter",
    dtype: "uint16",
    resolution: 90,
    bands: [
      ...gssicCoherence.map((days) => ({
        name: `vv_COH${days}`,
        description: `Seasonal median ${Number(days)}-day repeat interferometric coherence, VV (stored as coherence × 100)`,
        polarisation: "VV",
        unit: "1",
        nodata: 0,
        scale: 0.01,
        offset: 0,
        resolution: 90,
        resampling: "bilinear" as const
      })),
      ...(["vv", "vh"] as const).map((pol) => ({
        name: `${pol}_AMP`,
        description: `Seasonal mean backscatter γ0, ${pol.toUpperCase()}, amplitude digital number: γ0 (dB) = 20·log10(DN) − 83`,
        polarisation: pol.toUpperCase(),
        unit: "DN",
        nodata: 0,
        resolution: 90,
        resampling: "bilinear" as const
      }))
    ],
    source: "gssic",
    license: "CC-BY-4.0",
    attribution:
      "Kellndorfer, J., Cartus, O., Lavalle, M. et al. Global seasonal Sentinel-1 interferometric coherence and backscatter data set. Sci Data 9, 73 (2022). doi:10.1038/s41597-022-01189-6. Contains modified Copernicus Sentinel data (2019–2020)"
  },
  bindings: {
    [binding]: {
      collection: "gssic",
      assets: Object.fromEntries(
        [...gssicCoherence.map((d) => `vv_COH${d}`), "vv_AMP", "vh_AMP"].map((a) => [a, a])
      )
    }
  },
  cloudy: false,
  projected: false,
  valueTransform: "none"
}

/**
 * ESA CCI Biomass above-ground biomass, 100 m: AGB and its per-pixel standard deviation in Mg/ha; 10° tiles
 * named by their north-west corner (tiling `ten-degree-nw`), e.g.
 * `{tile}_ESACCI-BIOMASS-L4-{asset}-MERGED-100m-{year}-fv5.0.tif` with assets `AGB` and `AGB_SD`. Values are
 * Mg/ha as stored (int16, no scale factor, valid 0–10,000, fill -32768, as the CCI Open Data Portal's variable
 * metadata states for `agb` and its error layer); kept as float32 so bilinear resampling is not rounded.
 */
export const esaCciAgb: Product.Preset = {
  spec: {
    id: "agb",
    title: "ESA CCI Biomass above-ground biomass (100 m)",
    dtype: "float32",
    resolution: 100,
    bands: [
      {
        name: "AGB",
        description:
          "Above-ground biomass: oven-dry weight of the woody parts of all living trees excluding stump and roots",
        unit: "Mg/ha",
        nodata: -32768,
        resolution: 100,
        resampling: "bilinear"
      },
      {
        name: "AGB_SD",
        description: "Standard deviation of the above-ground biomass estimate",
        unit: "Mg/ha",
        nodata: -32768,
        resolution: 100,
        resampling: "bilinear"
      }
    ],
    source: "esa-cci-agb",
    license:
      "ESA CCI Biomass terms and conditions (http://artefacts.ceda.ac.uk/licences/specific_licences/esacci_biomass_terms_and_conditions.pdf)",
    attribution:
      "ESA Biomass Climate Change Initiative (Biomass_cci) global above-ground biomass; cite the CEDA Data Catalogue record of the version used"
  },
  bindings: { [binding]: { collection: "esa-cci-agb", assets: { AGB: "AGB", AGB_SD: "AGB_SD" } } },
  cloudy: false,
  projected: false,
  valueTransform: "none"
}

/**
 * GHS-BUILT-S R2023A (JRC Global Human Settlement Layer): built-up surface in m² per 100 m cell of World
 * Mollweide (ESRI:54009), epochs 1975–2030 every 5 years (template key `{epoch}`: the slot's year rounded to
 * the nearest epoch), 1,000 km tiles `R{row}_C{col}` (tiling `ghs-mollweide`) shipped as zips holding the
 * GeoTIFF, e.g. `GHS_BUILT_S_E{epoch}_GLOBE_R2023A_54009_100_V1_0_{tile}.zip#member=…_{tile}.tif`. Values
 * 0–10,000 m², uint16, nodata 65535. The 10 m tiles (same tiling, m² per 10 m cell) read with the same URL
 * pattern and a product resolution of 10.
 */
export const ghsBuiltS: Product.Preset = {
  spec: {
    id: "built",
    title: "GHS-BUILT-S R2023A built-up surface (100 m)",
    dtype: "uint16",
    resolution: 100,
    bands: [
      {
        name: "built_surface",
        description:
          "Built-up surface (all buildings, residential and non-residential) within the cell",
        unit: "m2",
        nodata: 65535,
        resolution: 100,
        resampling: "bilinear"
      }
    ],
    source: "ghs-built-s",
    license: "CC-BY-4.0",
    attribution:
      "Pesaresi, M., Politis, P. (2023): GHS-BUILT-S R2023A - GHS built-up surface grid, derived from Sentinel2 composite and Landsat, multitemporal (1975-2030). European Commission, Joint Research Centre (JRC). doi:10.2905/9F06F36F-4B11-47EC-ABB0-4F8B7B1D72EA"
  },
  bindings: { [binding]: { collection: "ghs-built-s", assets: { built_surface: "BUILT_S" } } },
  cloudy: false,
  projected: false,
  valueTransform: "none"
}

// MOD44B v061 percent-cover layers read by the preset (HDF-EOS grid "MOD44B_250m_GRID").
const vcfLayers = [
  ["Percent_Tree_Cover", "Percent of the pixel covered by tree canopy (trees taller than 5 m)"],
  ["Percent_NonTree_Vegetation", "Percent of the pixel covered by herbaceous or shrub vegetation"],
  ["Percent_NonVegetated", "Percent of the pixel not vegetated (bare)"]
] as const

/**
 * MODIS/Terra Vegetation Continuous Fields yearly (MOD44B v061, 250 m): HDF4/HDF-EOS2 files per sinusoidal
 * tile (tiling `modis-sinusoidal`, `h18v04`), named with a production timestamp, so the template's file name
 * is a glob resolved against the folder listing, e.g. LP DAAC's data pool
 * `https://e4ftl01.cr.usgs.gov/MOLT/MOD44B.061/{year}.03.05/MOD44B.A{year}065.{tile}.061.*.hdf#var={asset}`.
 * Percent layers uint8 0–100 (no scale factor), 200 = water, 253 = fill (nodata); nearest-neighbour, so the
 * water code is never blended into percentages.
 */
export const modisVcf: Product.Preset = {
  spec: {
    id: "vcf",
    title: "MODIS/Terra Vegetation Continuous Fields yearly 250 m (MOD44B v061)",
    dtype: "uint8",
    resolution: 250,
    bands: vcfLayers.map(([name, description]) => ({
      name,
      description: `${description}; 200 = water`,
      unit: "%",
      nodata: 253,
      resolution: 250,
      resampling: "nearest" as const
    })),
    source: "modis-vcf",
    license: "public domain (NASA EOSDIS data use policy: no restrictions on reuse)",
    attribution:
      "DiMiceli, C., Townshend, J., Carroll, M., Sohlberg, R. (2022). MODIS/Terra Vegetation Continuous Fields Yearly L3 Global 250m SIN Grid V061. NASA EOSDIS Land Processes DAAC. doi:10.5067/MODIS/MOD44B.061"
  },
  bindings: {
    [binding]: {
      collection: "modis-vcf",
      assets: Object.fromEntries(vcfLayers.map(([name]) => [name, name]))
    }
  },
  cloudy: false,
  projected: false,
  valueTransform: "none"
}

/** The tiled-archive presets by recipe preset name. */
export const all: Readonly<Record<string, Product.Preset>> = {
  srtmgl1,
  gssic,
  "esa-cci-agb": esaCciAgb,
  "ghs-built-s": ghsBuiltS,
  "modis-vcf": modisVcf
}
