// A static STAC catalogue of single-band uint16 GeoTIFF scenes over one box of the Olinda demo area, for
// build tests that need scenes of chosen values, dates and properties (radiometry, output transforms,
// composites).
import { Crs, PixelGrid } from "@eoforge/core"
import { GeoTiffWriter } from "@eoforge/raster"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"

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
