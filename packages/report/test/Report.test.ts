import { assert, describe, it } from "@effect/vitest"
import { Store } from "@eoforge/zarr"
import { Effect } from "effect"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Canvas, Maps, Report } from "../src/index.ts"
import { build, position } from "./fixtures/store.ts"

// 40 samples in shards of 8, the last shard never built: a partial build.
const fixture = Effect.gen(function* () {
  const dir = mkdtempSync(join(tmpdir(), "eoforge-report-"))
  const store = join(dir, "fixture.zarr")
  yield* build({ samples: 40, shardSamples: 8, size: 48, shiftPx: 2, builtShards: 4 }).pipe(
    Effect.provide(Store.layerFileSystem(store))
  )
  return { dir, store }
})

describe("Report", () => {
  it.effect("finds the product shifted by 2 px, and none between the aligned ones", () =>
    Effect.gen(function* () {
      const { dir, store } = yield* fixture
      const r = yield* Report.write(store)
      const pair = (name: string) => r.alignment.find((s) => s.pair === name)!
      const shifted = pair("s2/s1")
      console.log(
        `report: s2/s1 median ${shifted.medianPx.toFixed(3)} px (mean dx ${shifted.meanDx.toFixed(3)}, dy ${shifted.meanDy.toFixed(3)}); s2/comp median ${pair("s2/comp").medianPx.toFixed(3)} px`
      )
      assert.strictEqual(shifted.measured, 32)
      assert.isBelow(Math.abs(shifted.meanDx - 2), 0.1)
      assert.isBelow(Math.abs(shifted.meanDy), 0.1)
      assert.strictEqual(shifted.outliers.length, shifted.reliable)
      // comp is at 20 m: s1's 2 px east at 10 m put comp 1 px west of s1 there; s2 and comp agree.
      assert.isBelow(pair("s2/comp").medianPx, 0.25)
      // 24 px chips at 20 m leave little structure: a stray sample may exceed 0.5 px, not one in ten.
      assert.isAtMost(pair("s2/comp").outliers.length, pair("s2/comp").reliable / 10)
      assert.isBelow(Math.abs(pair("s1/comp").meanDx + 1), 0.1)
      assert.strictEqual(r.built, 32)
      assert.strictEqual(r.samples, 40)
      rmSync(dir, { recursive: true, force: true })
    })
  )

  it.effect("writes one self-contained page and a PNG per figure beside the store", () =>
    Effect.gen(function* () {
      const { dir, store } = yield* fixture
      const r = yield* Report.write(store)
      assert.strictEqual(r.dir, join(dir, "report"))
      const files = readdirSync(r.dir)
      for (const f of [
        "index.html",
        "world-map.png",
        "overlap-before.png",
        "overlap-after.png",
        "availability.png",
        "quicklooks-train.png",
        "alignment-s2-s1.png",
        "histogram-s1-VV.png"
      ]) {
        assert.include(files, f)
      }
      const html = readFileSync(r.index, "utf8")
      // Nothing is fetched: every image is inline, no URL leaves the page.
      assert.notMatch(html, /(src|href)="(?!data:|#)/)
      assert.notMatch(html, /https?:\/\//)
      // The unbuilt shard's 8 samples are Pending in every slot.
      assert.match(html, /<td>s2 · spring<\/td><td>\d+<\/td><td>8<\/td>/)
      assert.match(html, /TooCloudy/)
      // The world map: Tokyo's samples are drawn in split colours, the coastline in grey.
      const world = Canvas.fromPng(readFileSync(join(r.dir, "world-map.png")))
      assert.strictEqual(world.width, 1440)
      const [lon, lat] = position(0)
      const at = (x: number, y: number) =>
        Array.from(world.data.subarray((y * 1440 + x) * 4, (y * 1440 + x) * 4 + 3))
      const x = Math.floor(((lon + 180) / 360) * 1440)
      const y = Math.floor(((90 - lat) / 180) * 720)
      const near: Array<Array<number>> = []
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) near.push(at(x + dx, y + dy))
      const tinted = Object.values(Maps.splitColours).some((c) =>
        near.some((p) => Math.abs(p[0] - c[0]) + Math.abs(p[1] - c[1]) + Math.abs(p[2] - c[2]) < 60)
      )
      assert.isTrue(tinted, JSON.stringify(near))
      rmSync(dir, { recursive: true, force: true })
    })
  )
})
