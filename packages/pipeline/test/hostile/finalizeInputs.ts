// Generator of the stores finalize must describe rather than refuse: copies of the offline demo sources
// (fixtures/demo) where no item matches, every asset is garbage, or the DEM is a constant raster whose
// every pixel equals the band's nodata; plus the small test recipe pointed at such a copy.
import { Crs, PixelGrid } from "@eoforge/core"
import { GeoTiffWriter } from "@eoforge/raster"
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parse, stringify } from "yaml"

const small = fileURLToPath(new URL("../fixtures/small.yaml", import.meta.url))
const demoSources = fileURLToPath(new URL("../../../../fixtures/demo", import.meta.url))

/** A copy of the demo sources (catalogue and rasters) under `dir`; returns its catalogue path. */
export const copySources = (dir: string): string => {
  cpSync(demoSources, dir, { recursive: true })
  return join(dir, "stac/catalog.json")
}

/** Every raster file of a copy of the demo sources. */
const rasters = (dir: string): Array<string> => {
  const out: Array<string> = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith(".tif")) out.push(path)
    }
  }
  walk(join(dir, "data"))
  return out
}

/** Overwrite every raster of a copy with bytes that are no TIFF (every item is invalid). */
export const spoilRasters = (dir: string): number => {
  const files = rasters(dir)
  for (const f of files) writeFileSync(f, "this is not a GeoTIFF\n")
  return files.length
}

/**
 * Replace the DEM of a copy by a float32 raster of zeros on the DEM's own grid (from its STAC item),
 * without a nodata tag: every chip is read as valid, and a recipe declaring `nodata: 0` for the band
 * then has no valid pixel at all.
 */
export const zeroDem = (dir: string): void => {
  const item = JSON.parse(readFileSync(join(dir, "stac/dem/items/dem-olinda.json"), "utf8"))
  const [res, , x0, , , y0] = item.properties["proj:transform"] as Array<number>
  const [height, width] = item.properties["proj:shape"] as [number, number]
  const grid = PixelGrid.make(Crs.epsg(item.properties["proj:epsg"]), x0, y0, res, width, height)
  const bytes = GeoTiffWriter.encodeSync({
    grid,
    dtype: "float32",
    bands: 1,
    data: new Float32Array(width * height)
  })
  writeFileSync(join(dir, "data/dem/dem-olinda.tif"), bytes)
}

/** The small test recipe with paths made absolute, its catalogue `catalog`, `edit` applied, written to `file`. */
export const smallRecipe = (file: string, catalog: string, edit: (r: any) => void = () => {}) => {
  const r = parse(readFileSync(small, "utf8"))
  r.sampling.aoi = resolve(dirname(small), r.sampling.aoi)
  r.sources.demo.catalog = catalog
  edit(r)
  writeFileSync(file, stringify(r))
  return file
}
