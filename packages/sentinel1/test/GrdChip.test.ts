import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { GrdChip, Simulate } from "../src/index.ts"
import { calibration, model, noise, patchGrid, pol, scene, toLonLat, truth } from "./scene.ts"

describe("GrdChip", () => {
  it.effect(
    "makeAll reads every polarisation's window at once and gives the bytes make gives one after another",
    () =>
      Effect.gen(function* () {
        const s = scene(true)
        const grid = patchGrid(1200)
        const { dem } = truth(grid, s)
        const heights: GrdChip.Dem = { values: dem, datum: "egm96", asset: "dem.tif" }
        // Two measurements: the scene's DNs, and the same scaled (a second polarisation's values).
        const dnOf = (scale: number) => (w: Parameters<GrdChip.ReadDn<never>>[0]) => {
          const dn = Simulate.dnWindow(model, calibration, noise, s, w)
          return Uint16Array.from(dn, (v) => Math.min(65535, Math.round(v * scale)))
        }
        const bands = [
          { scale: 1, options: { db: true } },
          { scale: 0.37, options: { db: false } }
        ]
        const events: Array<string> = []
        const all = yield* GrdChip.makeAll(
          bands.map((b, i) => ({
            polarisation: pol,
            options: b.options,
            readDn: (w: Parameters<GrdChip.ReadDn<never>>[0]) =>
              Effect.gen(function* () {
                events.push(`start ${i}`)
                // A read in flight: other fibers run before it completes.
                for (let k = 0; k < 3; k++) yield* Effect.yieldNow
                events.push(`end ${i}`)
                return dnOf(b.scale)(w)
              })
          })),
          grid,
          toLonLat(grid),
          heights
        )
        assert.deepStrictEqual(events.slice(0, 2), ["start 0", "start 1"])
        // Positions are computed once for polarisations of one geometry.
        assert.strictEqual(all[0].positions, all[1].positions)
        for (const [i, b] of bands.entries()) {
          const one = yield* GrdChip.make(
            pol,
            grid,
            toLonLat(grid),
            heights,
            (w) => Effect.sync(() => dnOf(b.scale)(w)),
            b.options
          )
          assert.deepStrictEqual(
            new Uint8Array(all[i].values.buffer),
            new Uint8Array(one.values.buffer)
          )
          assert.deepStrictEqual(all[i].mask, one.mask)
          assert.deepStrictEqual(all[i].provenance, one.provenance)
        }
        assert.notDeepEqual(all[0].values, all[1].values)
      })
  )

  it.effect("makeAll fails as make does before any window is read", () =>
    Effect.gen(function* () {
      const grid = patchGrid(1200)
      let reads = 0
      const wrong: GrdChip.Polarisation = {
        ...pol,
        measurement: { ...pol.measurement, width: pol.measurement.width - 1 }
      }
      const readDn = (w: Parameters<GrdChip.ReadDn<never>>[0]) =>
        Effect.sync(() => {
          reads++
          return new Uint16Array(w.width * w.height)
        })
      const failed = yield* Effect.flip(
        GrdChip.makeAll(
          [
            { polarisation: pol, readDn },
            { polarisation: wrong, readDn }
          ],
          grid,
          toLonLat(grid),
          undefined
        )
      )
      assert.strictEqual(failed.problem, "AnnotationMismatch")
      assert.strictEqual(reads, 0)
    })
  )
})
