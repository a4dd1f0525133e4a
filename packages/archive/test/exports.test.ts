import { describe, expect, it } from "@effect/vitest"
import * as Archive from "../src/index.ts"

describe("@eoforge/archive exports", () => {
  it("exposes the tiled-archive kind and the tilings", () => {
    expect(Object.keys(Archive)).toEqual(["Presets", "TiledArchive", "Tiling"])
    expect(Archive.TiledArchive.kind.type).toBe("tiled-archive")
    expect(Archive.Tiling.tilings).toEqual([
      "one-degree-sw",
      "one-degree-nw",
      "ten-degree-nw",
      "ghs-mollweide",
      "modis-sinusoidal"
    ])
  })
})
