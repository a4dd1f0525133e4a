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
 * `vv_COH12`). Nodata is digital number 0. Values are stored as the files' digital numbers: the data set's
 * scaling is not applied here.
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
        description: `Seasonal median ${Number(days)}-day repeat interferometric coherence, VV (digital number)`,
        polarisation: "VV",
        nodata: 0,
        resolution: 90,
        resampling: "bilinear" as const
      })),
      ...(["vv", "vh"] as const).map((pol) => ({
        name: `${pol}_AMP`,
        description: `Seasonal mean backscatter γ0, ${pol.toUpperCase()} (digital number)`,
        polarisation: pol.toUpperCase(),
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
 * `{tile}_ESACCI-BIOMASS-L4-{asset}-MERGED-100m-{year}-fv5.0.tif` with assets `AGB` and `AGB_SD`.
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
        resolution: 100,
        resampling: "bilinear"
      },
      {
        name: "AGB_SD",
        description: "Standard deviation of the above-ground biomass estimate",
        unit: "Mg/ha",
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

/** The tiled-archive presets by recipe preset name. */
export const all: Readonly<Record<string, Product.Preset>> = {
  srtmgl1,
  gssic,
  "esa-cci-agb": esaCciAgb
}
