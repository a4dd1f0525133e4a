// Names and metadata of the published SSL4EO-S12 folder tree (zhu-xlab/SSL4EO-S12, as torchgeo's SSL4EOS12
// reads it): <s1|s2c|s2a>/<7-digit sample index>/<scene id>/<band>.tif and metadata.json per scene folder.
import { SafeName } from "@eoforge/core"

const folders: Readonly<Record<string, string>> = { s1grd: "s1", s2l1c: "s2c", s2l2a: "s2a" }

/** The modality folder of a product: s1, s2c, s2a for the SSL4EO-S12 products, else the product id. */
export const folderOf = (product: string): string => folders[product] ?? product

/** The sample folder: the sample index, zero-padded to 7 digits (torchgeo: `f"{index:07}"`). */
export const sampleFolder = (index: number): string => String(index).padStart(7, "0")

/**
 * The scene folder of one acquisition: the source item id (the published set names it by the Earth
 * Engine `system:index`), made path-safe; the slot name when the item is unknown. torchgeo picks
 * `seasons` of these folders at random, so a sample folder holds nothing else.
 */
export const sceneFolder = (item: string, slot: string, time: number): string => {
  const first = item.split(/[,;\s]+/).find((x) => x.length > 0)
  const candidate = (first ?? slot).replace(/[^A-Za-z0-9._-]/g, "_")
  return SafeName.isSafe(candidate) ? candidate : `${slot}-${time}`
}

/** What one scene folder's metadata.json holds: the Earth Engine property names of the published set. */
export const metadata = (s: {
  readonly item: string
  readonly acquired: number
  readonly cloud: number | null
  readonly nodataFraction: number | null
  readonly sample: number
  readonly id: string
  readonly product: string
  readonly slot: string
  readonly lon: number
  readonly lat: number
  readonly epsg: number
  readonly split: number
}) => ({
  "system:index": s.item,
  "system:time_start": s.acquired,
  ...(s.cloud === null ? {} : { CLOUDY_PIXEL_PERCENTAGE: s.cloud * 100 }),
  "eoforge:nodata_fraction": s.nodataFraction,
  "eoforge:sample": s.sample,
  "eoforge:sample_id": s.id,
  "eoforge:product": s.product,
  "eoforge:slot": s.slot,
  "eoforge:center": [s.lon, s.lat],
  "eoforge:epsg": s.epsg,
  "eoforge:split": s.split
})
