// The product presets a recipe may name, by name: shared by recipe validation and product resolution.
import { Presets as ArchivePresets } from "@eoforge/archive"
import { Presets as AsfPresets } from "@eoforge/asf"
import { Presets as EarthEngine } from "@eoforge/earthengine"
import { Presets, type Product } from "@eoforge/stac"

const byName: Readonly<Record<string, () => Product.Preset>> = {
  "sentinel-2-l2a": () => Presets.sentinel2L2A,
  "sentinel-2-l1c": () => Presets.sentinel2L1C,
  "sentinel-1-grd": () => Presets.sentinel1Grd(),
  // One orbit direction each (`sat:orbit_state`), as M3LEO stores ascending and descending apart.
  "sentinel-1-grd-ascending": () => Presets.sentinel1Grd({ orbit: "ascending" }),
  "sentinel-1-grd-descending": () => Presets.sentinel1Grd({ orbit: "descending" }),
  "sentinel-1-rtc": () => Presets.sentinel1Rtc(),
  "cop-dem-glo-30": () => Presets.copernicusDem30,
  "esa-worldcover": () => Presets.esaWorldCover,
  // Earth Engine products (source type earth-engine): the collections SSL4EO-S12 and M3LEO were made from.
  ...Object.fromEntries(
    Object.entries(EarthEngine.byName).map(([name, p]) => [
      name,
      () => EarthEngine.asProductPreset(p)
    ])
  ),
  // Tiled archives (`type: tiled-archive` sources).
  srtmgl1: () => ArchivePresets.srtmgl1,
  gssic: () => ArchivePresets.gssic,
  "esa-cci-agb": () => ArchivePresets.esaCciAgb,
  "ghs-built-s": () => ArchivePresets.ghsBuiltS,
  "modis-vcf": () => ArchivePresets.modisVcf,
  // ARIA Sentinel-1 GUNW interferograms (`type: asf-gunw` sources).
  "aria-gunw": () => AsfPresets.ariaGunw
}

/** The names of the product presets. */
export const presetNames: ReadonlyArray<string> = Object.keys(byName)

/** The preset of a name, or undefined (own names only: `toString` names no preset). */
export const presetOf = (name: string): Product.Preset | undefined =>
  Object.hasOwn(byName, name) ? byName[name]() : undefined
