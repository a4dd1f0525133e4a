// The public surface of @eoforge/raster: changes to it are deliberate.
import { describe, expect, it } from "@effect/vitest"
import * as Raster from "../src/index.ts"

describe("@eoforge/raster exports", () => {
  it("exposes the reading modules with their members", () => {
    const surface = Object.fromEntries(
      Object.entries(Raster)
        .filter(([name]) => name !== "GeoTiffWriter")
        .map(([name, mod]) => [name, Object.keys(mod).sort()])
    )
    expect(surface).toMatchInlineSnapshot(`
      {
        "Footprint": [
          "boxesIntersect",
          "boxesOf",
          "fractionInside",
          "of",
          "ringsIntersect",
          "unwrap",
        ],
        "Format": [
          "Problem",
          "splitUri",
        ],
        "HeaderShelf": [
          "HeaderShelf",
          "decode",
          "encode",
          "keyOf",
          "maxEntryBytes",
          "withShelf",
        ],
        "Morphology": [
          "dilateDisk",
          "diskHalfWidths",
        ],
        "Mosaic": [
          "read",
        ],
        "RasterAccess": [
          "RasterAccess",
          "withPolicy",
        ],
        "RasterError": [
          "OpenProblem",
          "RasterOpenError",
          "RasterReadError",
          "ReadProblem",
        ],
        "RasterInfo": [],
        "RasterSource": [
          "RasterSource",
          "defaultHeaderCacheBytes",
          "defaultHttpOptions",
          "defaultLimits",
          "defaultTileCacheBytes",
          "layerGeoTiff",
          "layerGeoTiffWith",
          "makeGeoTiff",
          "recycle",
          "transferTotals",
        ],
      }
    `)
  })
})
