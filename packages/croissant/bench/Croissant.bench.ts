// Generation time of the Croissant document and the card: the fixture, and an SSL4EO-sized description
// (S1 GRD 2 bands, S2 L1C 13, S2 L2A 12; 4 seasons; 251,079 samples) with 2,000 hashed store files.
import { test } from "vitest"
import { Card, Croissant, type Description } from "../src/index.ts"
import { description } from "../test/fixture.ts"

const large = (): Description.DatasetDescription => {
  const d = description()
  const product = (id: string, dtype: "uint16" | "float32", n: number) => ({
    id,
    dtype,
    resolution: 10,
    crs: "per-patch UTM/UPS",
    shape: [251_079, 4, n, 264, 264] as [number, number, number, number, number],
    bands: Array.from({ length: n }, (_, b) => ({
      name: `B${b + 1}`,
      wavelengthNm: 400 + 50 * b,
      resampling: "bilinear" as const
    }))
  })
  const products = [
    product("s1grd", "float32", 2),
    product("s2l1c", "uint16", 13),
    product("s2l2a", "uint16", 12)
  ]
  const seasons = ["spring", "summer", "autumn", "winter"]
  const hex = (i: number) => i.toString(16).padStart(64, "0")
  return {
    ...d,
    timeSlots: seasons.map((name, i) => ({
      name,
      start: `2021-0${i + 1}-01`,
      end: `2021-0${i + 2}-01`
    })) as unknown as Description.DatasetDescription["timeSlots"],
    products: products as unknown as Description.DatasetDescription["products"],
    samples: { count: 251_079, train: 150_000, val: 50_000, test: 50_000, guard: 1_079 },
    store: {
      ...d.store,
      files: Array.from({ length: 2_000 }, (_, i) => ({
        path: i === 0 ? "zarr.json" : `index/part-${i}.json`,
        size: i,
        sha256: hex(i)
      })),
      shards: ["samples", ...products.map((p) => p.id)].flatMap((g) =>
        (g === "samples"
          ? ["id", "lon", "lat", "epsg", "x0", "y0", "split"]
          : ["data", "valid", "reason", "time", "item", "cloud", "nodata"]
        ).map((a) => ({
          array: `${g}/${a}`,
          includes: [`${g}/${a}/c/**`] as [string]
        }))
      )
    },
    availability: products.flatMap((p) =>
      seasons.map((slot) => ({ product: p.id, slot, reason: "Ok" as const, count: 250_000 }))
    ),
    statistics: products.flatMap((p) =>
      p.bands.flatMap((b) =>
        (["train", "val", "test"] as const).map((split) => ({
          product: p.id,
          band: b.name,
          split,
          count: 1e9,
          mean: 1000,
          std: 200,
          min: 0,
          max: 10000,
          percentiles: [1, 5, 50, 95, 99].map((percent) => ({ percent, value: percent * 10 }))
        }))
      )
    )
  }
}

const small = description()
const big = large()

test("Croissant.make + toJson", async ({ bench }) => {
  await bench.compare(
    bench("fixture (3 products, 7 bands, 6 files)", () => {
      Croissant.toJson(Croissant.make(small))
    }),
    bench("SSL4EO-sized (27 bands, 2,000 files)", () => {
      Croissant.toJson(Croissant.make(big))
    })
  )
})

test("Card.make", async ({ bench }) => {
  await bench.compare(
    bench("fixture", () => {
      Card.make(small)
    }),
    bench("SSL4EO-sized", () => {
      Card.make(big)
    })
  )
})
