// The CRS conformance matrix: 37 CRSs (tools/fixtures/make-crs-matrix.py, GDAL 3.6 / PROJ 9.1 outputs committed)
// read onto UTM/UPS patch grids with every rule and compared with gdalwarp -et 0; 1,000 points against cs2cs.
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import proj4 from "proj4"
import { RasterSource } from "../src/index.ts"
import { definition } from "../src/internal/crs.ts"
import { compare, readGolden, type Case } from "./golden.ts"

const dir = new URL("./golden/crs/", import.meta.url).pathname

interface MatrixCase {
  readonly name: string
  readonly source: string
  readonly about: string
  readonly dtype: "uint8" | "float32"
  readonly epsg: number
  readonly x0: number
  readonly y0: number
  readonly resolution: number
  readonly width: number
  readonly height: number
  readonly rules: ReadonlyArray<Case["resampling"]>
  readonly geographic: boolean
  readonly metresPerUnit: number
}

const cases: ReadonlyArray<MatrixCase> = JSON.parse(readFileSync(`${dir}cases.json`, "utf8"))
const points: ReadonlyArray<readonly [string, number, number, number, number]> = JSON.parse(
  readFileSync(`${dir}points.json`, "utf8")
)

/**
 * Known differences from GDAL, each explained in packages/raster/README.md ("CRS conformance matrix"):
 * case_rule → the largest difference allowed and why.
 */
const exceptions: Readonly<Record<string, { readonly maxDiff: number; readonly why: string }>> = {}

const layer = RasterSource.layerGeoTiffWith({ workers: 0 })

describe("CRS matrix: every CRS read onto UTM/UPS grids as gdalwarp -et 0 does", () => {
  it("covers at least 30 CRSs and five rules each", () => {
    assert.isAtLeast(cases.length, 30)
    for (const c of cases)
      assert.deepStrictEqual([...c.rules], ["near", "bilinear", "cubic", "average", "mode"])
  })
  for (const c of cases) {
    for (const rule of c.rules) {
      const key = `${c.name}_${rule}`
      it.effect(`${key}: ${c.about}`, () =>
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const info = yield* raster.open(dir + c.source)
          const grid = PixelGrid.make(Crs.epsg(c.epsg), c.x0, c.y0, c.resolution, c.width, c.height)
          const chip = yield* raster.read(info, grid, {
            resampling: rule === "near" ? "nearest" : rule
          })
          const golden = yield* Effect.promise(() =>
            readGolden({ golden: `crs/${key}.tif` } as Case)
          )
          const float = c.dtype === "float32"
          const d = compare(chip, golden, float)
          const exact = rule === "near" || rule === "mode"
          const allowed = exceptions[key]?.maxDiff ?? (exact ? 0 : float ? 1e-4 : 1)
          assert.isAbove(d.validPixels, 0, "GDAL's chip has data")
          assert.strictEqual(d.maskMismatches, 0, `${key}: validity mask differs from GDAL's`)
          assert.isAtMost(d.maxDiff, allowed, `${key}: ${d.valueMismatches} values differ`)
        }).pipe(Effect.scoped, Effect.provide(layer))
      )
    }
  }
})

describe("CRS matrix: 1,000 points within 1 mm of cs2cs, datum shifts included", () => {
  it.effect("every point lands within 1 mm of PROJ's position in the source CRS", () =>
    Effect.gen(function* () {
      assert.strictEqual(points.length, 1000)
      const raster = yield* RasterSource.RasterSource
      const byName = new Map(cases.map((c) => [c.name, c]))
      const over: Array<string> = []
      let worst = 0
      for (const c of cases) {
        const info = yield* raster.open(dir + c.source)
        for (const [name, lon, lat, x, y] of points) {
          if (name !== c.name) continue
          const near = { lon, lat }
          const [px, py] = proj4(definition(Crs.wgs84, near), definition(info.crs, near), [
            lon,
            lat
          ])
          const m = byName.get(name)!
          // Degrees to metres on the ground (1e-8° ≈ 1.1 mm); other units by their size in metres.
          const toMetres = m.geographic ? 111_320 : m.metresPerUnit
          const dx = (px - x) * toMetres * (m.geographic ? Math.cos((lat * Math.PI) / 180) : 1)
          const dy = (py - y) * toMetres
          const d = Math.hypot(dx, dy)
          if (!(d <= 0.001))
            over.push(`${name} (${lon.toFixed(4)}, ${lat.toFixed(4)}): ${d.toFixed(4)} m`)
          if (!(d <= worst)) worst = d
        }
      }
      assert.deepStrictEqual(over.slice(0, 20), [], `${over.length} points over 1 mm`)
      assert.isAtMost(worst, 0.001)
    }).pipe(Effect.scoped, Effect.provide(layer))
  )
})
