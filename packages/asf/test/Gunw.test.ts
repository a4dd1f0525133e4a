// ASF search through the local double of its API (tools/servers/asf.ts): the parameters sent, cut answers
// split by window, patches grouped into search cells, answers kept on disk, and the reasons of `find`.
import { assert, describe, it } from "@effect/vitest"
import { AccessPolicy, Reason } from "@eoforge/core"
import { PatchGeometry } from "@eoforge/grid"
import { RasterSource } from "@eoforge/raster"
import { type Find, Search, type TimeSlots } from "@eoforge/stac"
import { Effect } from "effect"
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as AsfDouble from "../../../tools/servers/asf.ts"
import { AsfSearch, Gunw, Presets } from "../src/index.ts"

const box = (w: number, s: number, e: number, n: number) =>
  [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s]
  ] as const

const gunw = (
  ref: string,
  sec: string,
  track: number,
  frame: string,
  ring: ReturnType<typeof box>,
  dir = "A"
) => {
  const fileID = `S1-GUNW-${dir}-R-${String(track).padStart(3, "0")}-tops-${ref}_${sec}-035000-${frame}-PP-ab12-v2_0_6`
  return {
    fileID,
    url: `https://archive.example/door/download/${fileID}.nc`,
    startTime: `${ref.slice(0, 4)}-${ref.slice(4, 6)}-${ref.slice(6, 8)}T03:50:00.000Z`,
    stopTime: `${ref.slice(0, 4)}-${ref.slice(4, 6)}-${ref.slice(6, 8)}T03:50:30.000Z`,
    ring,
    flightDirection: (dir === "A" ? "ASCENDING" : "DESCENDING") as "ASCENDING" | "DESCENDING",
    pathNumber: track
  }
}

const products = [
  gunw("20200113", "20200101", 87, "03500E_03150N", box(34.9, 31.4, 35.6, 31.9)),
  gunw("20200125", "20200113", 87, "03500E_03150N", box(34.9, 31.4, 35.6, 31.9)),
  gunw("20200125", "20200101", 87, "03500E_03150N", box(34.9, 31.4, 35.6, 31.9)),
  gunw("20200120", "20200108", 21, "03510E_03140N", box(35.0, 31.3, 35.5, 31.8), "D"),
  gunw("20200301", "20200218", 87, "03500E_03150N", box(34.9, 31.4, 35.6, 31.9))
]

const january: TimeSlots.Slot = {
  id: "jan",
  start: Date.UTC(2020, 0, 1),
  end: Date.UTC(2020, 0, 31, 23, 59, 59, 999),
  reference: Date.UTC(2020, 0, 16)
}
const june: TimeSlots.Slot = {
  id: "jun",
  start: Date.UTC(2020, 5, 1),
  end: Date.UTC(2020, 5, 30),
  reference: Date.UTC(2020, 5, 15)
}
const layer = RasterSource.layerGeoTiffWith({ workers: 0 })
const access = AccessPolicy.make({ hosts: ["127.0.0.1"], allowPrivateNetworks: true })
const context = { key: "gunw", resolvePath: (p: string) => p, access }
const patch = (lon: number, lat: number) =>
  PatchGeometry.make({ lon, lat, size: 4480, resolution: 10 })
const find = (
  source: ReturnType<typeof Gunw.prepare>,
  lon: number,
  lat: number,
  slot: TimeSlots.Slot
) =>
  source.find({ patch: patch(lon, lat), preset: Presets.ariaGunw, slot, rules: {} as Find.Rules })

describe("AsfSearch", () => {
  it("sends ASF's parameters and reads its GeoJSON answer", async () => {
    const double = await AsfDouble.start(products)
    try {
      const found = await AsfSearch.search(
        {
          url: double.url,
          dataset: "ARIA S1 GUNW",
          processingLevel: "GUNW_STD",
          ring: box(35.2, 31.6, 35.3, 31.7),
          start: january.start,
          end: january.end,
          maxResults: 250
        },
        { policy: access }
      )
      assert.deepStrictEqual(
        found.map((p) => p.fileID),
        products
          .slice(0, 4)
          .map((p) => p.fileID)
          .sort()
      )
      assert.strictEqual(
        found[0]!.url,
        products
          .slice(0, 4)
          .map((p) => p.url)
          .sort()[0]
      )
      const sent = double.log[0]!.params
      assert.deepStrictEqual(Object.keys(sent).sort(), [
        "dataset",
        "end",
        "intersectsWith",
        "maxResults",
        "output",
        "processingLevel",
        "start"
      ])
      assert.strictEqual(
        sent.intersectsWith,
        "POLYGON((35.2 31.6,35.3 31.6,35.3 31.7,35.2 31.7,35.2 31.6))"
      )
      assert.strictEqual(sent.start, "2020-01-01T00:00:00.000Z")
      assert.strictEqual(sent.output, "geojson")
    } finally {
      await double.close()
    }
  })

  it("splits the window of an answer cut at maxResults until every product is found", async () => {
    const double = await AsfDouble.start(products)
    try {
      const query = {
        url: double.url,
        dataset: "ARIA S1 GUNW",
        ring: box(35.2, 31.6, 35.3, 31.7),
        start: january.start,
        end: january.end,
        maxResults: 3
      }
      const requests = { count: 0 }
      const found = await AsfSearch.search(query, { policy: access }, requests)
      assert.deepStrictEqual(
        found.map((p) => p.fileID),
        products
          .slice(0, 4)
          .map((p) => p.fileID)
          .sort()
      )
      // Whole month (3: cut), 1–16 Jan (1), 16–31 Jan (3: cut), 16–24 (1), 24–31 (2).
      assert.strictEqual(requests.count, 5)
      assert.deepStrictEqual(
        double.log.map((l) => l.count),
        [3, 1, 3, 1, 2]
      )
      // Two products of one instant cannot be told apart by time: maxResults 2 is refused by name.
      const error = await AsfSearch.search({ ...query, maxResults: 2 }, { policy: access }).catch(
        (e: unknown) => e
      )
      assert.instanceOf(error, AsfSearch.AsfSearchError)
      assert.match((error as Error).message, /for one hour from 2020-01-2.*raise maxResults/)
    } finally {
      await double.close()
    }
  })

  it("searches a patch across the antimeridian as one POLYGON within ±180° per side", async () => {
    // Frames either side of ±180° and one far along the same latitudes.
    const east = gunw("20200113", "20200101", 1, "17990W_01700S", box(-180, -17.3, -179.5, -16.7))
    const west = gunw("20200113", "20200101", 2, "17990E_01700S", box(179.5, -17.3, 180, -16.7))
    const far = gunw("20200113", "20200101", 3, "00100E_01700S", box(10, -17.3, 10.5, -16.7))
    const double = await AsfDouble.start([east, west, far])
    try {
      const query = {
        url: double.url,
        dataset: "ARIA S1 GUNW",
        start: january.start,
        end: january.end,
        maxResults: 250
      }
      for (const lon of [179.999, -179.995, 180]) {
        const g = Search.patchGeometry(patch(lon, -17))
        assert.strictEqual(g.type, "MultiPolygon", `${lon}`)
        if (g.type !== "MultiPolygon") continue
        const before = double.log.length
        const requests = { count: 0 }
        const found = await AsfSearch.searchRings(
          query,
          g.coordinates.map((part) => part[0]!),
          { policy: access },
          requests
        )
        assert.deepStrictEqual(
          found.map((p) => p.fileID),
          [east.fileID, west.fileID].sort()
        )
        assert.strictEqual(requests.count, 2)
        for (const l of double.log.slice(before)) {
          const ring = AsfDouble.parsePolygon(l.params.intersectsWith ?? "")!
          assert.isTrue(
            ring.every(([x]) => x >= -180 && x <= 180),
            l.params.intersectsWith
          )
        }
      }
      // The unsplit ring, as it was sent before: a band around the globe, answering the far frame too.
      const [ul, ur, lr, ll] = patch(179.999, -17).footprint
      const raw = await AsfSearch.search(
        { ...query, ring: [ul, ll, lr, ur, ul] },
        { policy: access }
      )
      assert.include(
        raw.map((p) => p.fileID),
        far.fileID
      )
    } finally {
      await double.close()
    }
  })

  it("a refused query is an AsfSearchError naming the endpoint, the status and ASF's report", async () => {
    const double = await AsfDouble.start(products)
    try {
      const error = await AsfSearch.search(
        {
          url: double.url,
          dataset: "SENTINEL-1",
          ring: box(35.2, 31.6, 35.3, 31.7),
          start: january.start,
          end: january.end,
          maxResults: 10
        },
        { policy: access }
      ).catch((e: unknown) => e)
      assert.instanceOf(error, AsfSearch.AsfSearchError)
      const e = error as AsfSearch.AsfSearchError
      assert.strictEqual(e.status, 400)
      assert.match(
        e.message,
        /HTTP 400: ASF refused the parameters.*SENTINEL-1 is not ARIA S1 GUNW/
      )
    } finally {
      await double.close()
    }
  })
})

describe("the asf-gunw kind", () => {
  it.effect("finds the 12-day pair of the slot, asset by asset as NetCDF variables", () =>
    Effect.gen(function* () {
      const double = yield* Effect.promise(() => AsfDouble.start(products))
      try {
        const source = Gunw.prepare({ url: double.url, pairs: { baselineDays: 12 } }, context)
        const f = yield* find(source, 35.25, 31.65, january)
        assert.strictEqual(f._tag, "Found")
        if (f._tag !== "Found") return
        // Two 12-day ascending pairs and one descending: the pair whose middle is nearest 16 January.
        assert.deepStrictEqual(
          f.items.map((i) => i.id),
          [products[3]!.fileID]
        )
        assert.strictEqual(f.orbitState, "descending")
        assert.strictEqual(f.relativeOrbit, 21)
        assert.strictEqual(
          f.assets.coherence![0]!.href,
          `${products[3]!.url}#var=/science/grids/data/coherence`
        )
        assert.strictEqual(f.coverage, 1)
        const asc = Gunw.prepare(
          { url: double.url, pairs: { baselineDays: 12 }, flightDirection: "ASCENDING" },
          context
        )
        const g = yield* find(asc, 35.25, 31.65, january)
        // Ascending: 13→25 Jan (middle 19 Jan) beats 1→13 Jan (middle 7 Jan).
        assert.strictEqual(g._tag === "Found" && g.items[0]!.id, products[1]!.fileID)
        assert.strictEqual(double.log.at(-1)!.params.flightDirection, "ASCENDING")
      } finally {
        yield* Effect.promise(() => double.close())
      }
    }).pipe(Effect.provide(layer))
  )

  it.effect(
    "searches once per cell for the patches in it, and a new source reads the cell back from disk",
    () =>
      Effect.gen(function* () {
        const double = yield* Effect.promise(() => AsfDouble.start(products))
        const dir = mkdtempSync(join(tmpdir(), "eoforge-asf-"))
        try {
          const first = Gunw.prepare({ url: double.url, pairs: { baselineDays: 12 } }, context)
            .withCache!(dir) as ReturnType<typeof Gunw.prepare>
          for (const [lon, lat] of [
            [35.1, 31.5],
            [35.3, 31.6],
            [35.45, 31.7],
            [35.2, 31.75]
          ] as const) {
            const f = yield* find(first, lon, lat, january)
            assert.strictEqual(f._tag, "Found", `${lon},${lat}`)
          }
          assert.strictEqual(first.requests(), 1)
          assert.strictEqual(readdirSync(dir).filter((n) => n.endsWith(".json.gz")).length, 1)
          const second = Gunw.prepare({ url: double.url, pairs: { baselineDays: 12 } }, context)
            .withCache!(dir) as ReturnType<typeof Gunw.prepare>
          const again = yield* find(second, 35.3, 31.6, january)
          assert.strictEqual(again._tag, "Found")
          assert.strictEqual(second.requests(), 0)
          assert.strictEqual(double.log.length, 1)
        } finally {
          rmSync(dir, { recursive: true, force: true })
          yield* Effect.promise(() => double.close())
        }
      }).pipe(Effect.provide(layer))
  )

  it.effect("the kind sends a patch across the antimeridian as two polygons within ±180°", () =>
    Effect.gen(function* () {
      const west = gunw("20200113", "20200101", 2, "17990E_01700S", box(179.5, -17.3, 180, -16.7))
      const far = gunw("20200113", "20200101", 3, "00100E_01700S", box(10, -17.3, 10.5, -16.7))
      const double = yield* Effect.promise(() => AsfDouble.start([west, far]))
      try {
        const source = Gunw.prepare({ url: double.url, pairs: { baselineDays: 12 } }, context)
        const f = yield* find(source, 179.999, -17, january)
        assert.strictEqual(double.log.length, 2)
        for (const l of double.log) {
          const ring = AsfDouble.parsePolygon(l.params.intersectsWith ?? "")!
          assert.isTrue(
            ring.every(([x]) => x >= -180 && x <= 180),
            l.params.intersectsWith
          )
        }
        // Only the frame west of ±180° is a candidate; it covers half the patch.
        assert.strictEqual(f._tag, "Found")
        if (f._tag === "Found")
          assert.deepStrictEqual(
            f.items.map((i) => i.id),
            [west.fileID]
          )
      } finally {
        yield* Effect.promise(() => double.close())
      }
    }).pipe(Effect.provide(layer))
  )

  it.effect("missing pairs have reasons: no product, no pair passing the rule, a failing API", () =>
    Effect.gen(function* () {
      const double = yield* Effect.promise(() => AsfDouble.start(products))
      try {
        const source = Gunw.prepare(
          { url: double.url, pairs: { baselineDays: 36 }, cellDegrees: 0 },
          context
        )
        const none = yield* find(source, 35.25, 31.65, june)
        assert.strictEqual(none._tag === "Missing" && none.reason, Reason.Reason.NoItemInWindow)
        const far = yield* find(source, 10, 10, january)
        assert.strictEqual(far._tag === "Missing" && far.reason, Reason.Reason.NoItemInWindow)
        const rule = yield* find(source, 35.25, 31.65, january)
        assert.strictEqual(rule._tag === "Missing" && rule.reason, Reason.Reason.PairingFailed)
        assert.match(
          rule._tag === "Missing" ? rule.detail : "",
          /4 GUNW product\(s\).*36-day baseline.*\[12, 24 days\]/
        )
        double.fail(503)
        const down = yield* find(source, 35.25, 31.65, january)
        assert.strictEqual(down._tag === "Missing" && down.reason, Reason.Reason.SourceError)
        assert.match(down._tag === "Missing" ? down.detail : "", /HTTP 503.*retry later/)
      } finally {
        yield* Effect.promise(() => double.close())
      }
    }).pipe(Effect.provide(layer))
  )

  it("refuses entries that cannot work, naming the key and the fix", () => {
    assert.throws(
      () => Gunw.entryOf({ pairs: { days: 12 } }, "g"),
      /pairs\.days is not a pair rule/
    )
    assert.throws(
      () => Gunw.entryOf({ pairs: { minDays: 24, maxDays: 12 } }, "g"),
      /minDays 24 is over/
    )
    assert.throws(() => Gunw.entryOf({ flightDirection: "UP" }, "g"), /ASCENDING or DESCENDING/)
    assert.throws(() => Gunw.entryOf({ url: "ftp://x" }, "g"), /http\(s\) URL/)
    assert.throws(
      () => Gunw.entryOf({ type: "asf-gunw", pair: { baselineDays: 12 } }, "g"),
      /pair is not a key.*pairs/
    )
  })
})
