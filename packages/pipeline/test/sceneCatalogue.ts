// A static STAC catalogue of single-band uint16 GeoTIFF scenes over one box of the Olinda demo area, for
// build tests that need scenes of chosen values, dates and properties (radiometry, output transforms,
// composites).
import { Crs, PixelGrid } from "@eoforge/core"
import { GeoTiffWriter } from "@eoforge/raster"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { stringify } from "yaml"
import { Recipe } from "../src/index.ts"

/** Side of every scene, pixels. */
export const side = 800
/** The scenes' grid: 800 × 800 px of 0.0001° over the Olinda demo AOI. */
export const grid = PixelGrid.make(Crs.epsg(4326), -34.91, -7.955, 0.0001, side, side)
const box = [-34.91, -8.035, -34.83, -7.955]

/** One scene: its id, date (YYYY-MM-DD, noon UTC), item properties, pixels (0 = nodata) and asset fields. */
export interface Scene {
  readonly id: string
  readonly date: string
  readonly properties: Readonly<Record<string, unknown>>
  readonly data: Uint16Array
  /** Fields of the asset besides href (e.g. `type`, `raster:bands`). */
  readonly asset: Readonly<Record<string, unknown>>
}

const write = (path: string, value: unknown) => writeFileSync(path, JSON.stringify(value, null, 1))

/**
 * Writes `scenes` as items of one collection (asset `red`) under `dir`/stac and returns the catalogue's path.
 */
export const writeCatalogue = (
  dir: string,
  collection: string,
  description: string,
  scenes: ReadonlyArray<Scene>
): string => {
  const stac = join(dir, "stac")
  mkdirSync(join(stac, "items"), { recursive: true })
  for (const sc of scenes) {
    writeFileSync(
      join(stac, "items", `${sc.id}.tif`),
      GeoTiffWriter.encodeSync({ grid, dtype: "uint16", bands: 1, data: sc.data }, { nodata: 0 })
    )
    write(join(stac, "items", `${sc.id}.json`), {
      type: "Feature",
      stac_version: "1.0.0",
      id: sc.id,
      collection,
      bbox: box,
      geometry: {
        type: "Polygon",
        coordinates: [
          [
            [box[0], box[1]],
            [box[2], box[1]],
            [box[2], box[3]],
            [box[0], box[3]],
            [box[0], box[1]]
          ]
        ]
      },
      properties: { datetime: `${sc.date}T12:00:00Z`, ...sc.properties },
      assets: { red: { href: `./${sc.id}.tif`, ...sc.asset } },
      links: []
    })
  }
  write(join(stac, "collection.json"), {
    type: "Collection",
    stac_version: "1.0.0",
    id: collection,
    description,
    license: "proprietary",
    extent: {},
    links: scenes.map((sc) => ({ rel: "item", href: `./items/${sc.id}.json` }))
  })
  write(join(stac, "catalog.json"), {
    type: "Catalog",
    stac_version: "1.0.0",
    id: "root",
    description,
    links: [{ rel: "child", href: "./collection.json" }]
  })
  return join(stac, "catalog.json")
}

/** A Sentinel-2 L2A item of a processing baseline: its DN shift and the `raster:bands` scale/offset it declares. */
export interface BaselineItem {
  readonly id: string
  readonly date: string
  readonly baseline: string
  readonly shift: number
  readonly bands: { readonly scale: number; readonly offset: number } | undefined
}

/** The scenes of baseline items: `dn` shifted as each baseline encodes it, `raster:bands` where declared. */
export const baselineScenes = (
  items: ReadonlyArray<BaselineItem>,
  dn: Uint16Array
): ReadonlyArray<Scene> =>
  items.map((it) => ({
    id: it.id,
    date: it.date,
    properties: { "eo:cloud_cover": 1, "s2:processing_baseline": it.baseline },
    data: dn.map((v) => v + it.shift),
    asset: {
      type: "image/tiff; application=geotiff; profile=cloud-optimized",
      ...(it.bands === undefined ? {} : { "raster:bands": [{ nodata: 0, ...it.bands }] })
    }
  }))

/** June of each item's year as a slot `y<year>`. */
export const juneSlots = (items: ReadonlyArray<{ readonly date: string }>) =>
  Object.fromEntries(
    items.map((it) => [
      `y${it.date.slice(0, 4)}`,
      { kind: "window", start: `${it.date.slice(0, 4)}-06-01`, end: `${it.date.slice(0, 4)}-06-30` }
    ])
  )

/**
 * Writes `<dir>/<name>.yaml`: three 320 m patches in the Olinda demo AOI, the static catalogue `catalog` as
 * source `local`, the given slots and products, a random split; returns its path.
 */
export const writeRecipe = (
  dir: string,
  name: string,
  seed: number,
  catalog: string,
  slots: Readonly<Record<string, unknown>>,
  products: ReadonlyArray<unknown>
): string => {
  const path = join(dir, `${name}.yaml`)
  writeFileSync(
    path,
    stringify({
      name,
      seed,
      sampling: {
        sampler: "aoi",
        aoi: join(Recipe.shippedDirectory, "olinda-aoi.geojson"),
        count: 3
      },
      patch: { size: 320, resolution: 10 },
      sources: { local: { type: "static", catalog } },
      slots,
      products,
      split: { method: "random" },
      output: { store: "out/unused.zarr", shardSamples: 3 },
      concurrency: 1
    })
  )
  return path
}
