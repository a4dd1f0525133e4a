import { Crs, PixelGrid, type Chip } from "@eoforge/core"
import { test } from "vitest"
import { Accumulator } from "../src/index.ts"

const size = 264
const bands = 13
const n = size * size
let state = 7
const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296
const grid = PixelGrid.make(Crs.epsg(32633), 500_000, 4_000_000, 10, size, size)
const mask = new Uint8Array(n).map((_, i) => (i % size < 26 ? 0 : 1))
const u16: Chip.Chip = {
  grid,
  dtype: "uint16",
  bands,
  data: new Uint16Array(bands * n).map(() => 1000 + Math.floor(11000 * next())),
  mask
}
const f32: Chip.Chip = {
  grid,
  dtype: "float32",
  bands: 2,
  data: new Float32Array(2 * n).map(() => -20 + 10 * (next() - 0.5)),
  mask
}

test("Accumulator.add, one 264×264 chip with a 10 % nodata mask", async ({ bench }) => {
  const accU16 = Accumulator.empty(bands, { dtype: "uint16", nodata: 0 })
  const accF32 = Accumulator.empty(2, { dtype: "float32", range: [-60, 20], bins: 8000 })
  await bench.compare(
    bench("uint16 × 13 bands (906k values)", () => {
      Accumulator.add(accU16, u16)
    }),
    bench("float32 dB × 2 bands (139k values)", () => {
      Accumulator.add(accF32, f32)
    })
  )
})

test("Accumulator.merge and JSON", async ({ bench }) => {
  const a = Accumulator.add(Accumulator.empty(bands, { dtype: "uint16" }), u16)
  await bench.compare(
    bench("merge two 13-band uint16 accumulators", () => {
      Accumulator.merge(a, a)
    }),
    bench("toJson + JSON text round trip", () => {
      Accumulator.fromJson(JSON.parse(JSON.stringify(Accumulator.toJson(a))))
    })
  )
})
