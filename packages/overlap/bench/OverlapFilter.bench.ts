// Streaming against bulk overlap filtering of 50,000 seeded SSL4EO-like squares around six awkward places.
// Run: npx vitest bench --run --project overlap (never part of the test suite).
import { test } from "vitest"
import { OverlapFilter } from "../src/index.ts"
import { clustered } from "../test/squares.ts"

const patches = clustered(
  1,
  50_000,
  [
    [180, 20],
    [6, 50],
    [0, 89.9],
    [77.2, 28.6],
    [-46.6, -23.5],
    [139.7, 35.7]
  ],
  50_000,
  2640
)

test("OverlapFilter on 50,000 candidates", async ({ bench }) => {
  await bench.compare(
    bench("incremental: make + offer", () => {
      const filter = OverlapFilter.make()
      for (const p of patches) filter.offer(p)
    }),
    bench("bulk: filterAll", () => {
      OverlapFilter.filterAll(patches)
    })
  )
})
