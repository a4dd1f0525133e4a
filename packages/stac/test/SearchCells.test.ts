import { assert, describe, it } from "@effect/vitest"
import { Crs, type Patch } from "@eoforge/core"
import { Effect, Layer, Redacted, Stream } from "effect"
import {
  AssetSigner,
  Find,
  Presets,
  Search,
  SearchCells,
  StacClient,
  TimeSlots
} from "../src/index.ts"
import type { Item } from "../src/StacItem.ts"
import * as Fx from "./fixture/stacServer.ts"

// Seeded PRNG (mulberry32): the same items and patches every run.
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const S2 = [
  "coastal",
  "blue",
  "green",
  "red",
  "rededge1",
  "rededge2",
  "rededge3",
  "nir",
  "nir08",
  "nir09",
  "swir16",
  "swir22"
]

type P = [number, number]

// A square of `size` degrees turned by `deg` degrees around (cx, cy), counter-clockwise and closed.
const turned = (cx: number, cy: number, size: number, deg: number): Array<P> => {
  const a = (deg * Math.PI) / 180
  const h = size / 2
  const corners: Array<P> = [
    [-h, -h],
    [h, -h],
    [h, h],
    [-h, h]
  ].map(([x, y]) => [
    cx + x * Math.cos(a) - y * Math.sin(a),
    cy + x * Math.sin(a) + y * Math.cos(a)
  ])
  return [...corners, corners[0]]
}

const makeItems = (seed: number): ReadonlyArray<Fx.FixtureItem> => {
  const r = rng(seed)
  const out: Array<Fx.FixtureItem> = []
  for (let k = 0; k < 160; k++) {
    const cx = 10 + r() * 3
    const cy = 44 + r() * 3
    const year = r() < 0.3 ? 2020 : 2021
    const month = r() < 0.5 ? 5 : 8 // June or September
    const day = 1 + Math.floor(r() * 30)
    out.push(
      Fx.item({
        id: `S2_${String(k).padStart(3, "0")}`,
        collection: "sentinel-2-l2a",
        datetime: new Date(Date.UTC(year, month, day, 10, Math.floor(r() * 60))).toISOString(),
        cloud: Math.round(r() * 400) / 10,
        box: [0, 0, 0, 0],
        ring: turned(cx, cy, 0.2 + r() * 0.9, r() * 40 - 20),
        assets: S2
      })
    )
  }
  return out
}

// A patch as a slightly turned quad (UTM grid north differs from true north), UL, UR, LR, LL.
const patchAt = (lon: number, lat: number, k: number): Patch.Patch => {
  const ring = turned(lon, lat, 0.03, 3)
  return {
    id: `p${k}`,
    lon,
    lat,
    grid: { crs: Crs.epsg(32632), x0: 0, y0: 0, resolution: 10, width: 264, height: 264 },
    footprint: [ring[3], ring[2], ring[1], ring[0]]
  }
}

const makePatches = (seed: number, n: number): ReadonlyArray<Patch.Patch> => {
  const r = rng(seed)
  return Array.from({ length: n }, (_, k) => patchAt(10.1 + r() * 2.8, 44.1 + r() * 2.8, k))
}

const slots = TimeSlots.ssl4eoSeasons({ year: 2021, fallbackYear: 2020 })

// What a selection decides: reason or items, instants, cloud, mosaic, coverage and the asset hrefs.
const decision = (r: Find.Found | Find.Missing) =>
  r._tag === "Missing"
    ? { reason: r.reason, detail: r.detail }
    : {
        items: r.items.map((i) => i.id),
        datetime: r.datetime,
        cloud: r.cloud,
        fallback: r.fallback,
        mosaic: r.mosaic,
        coverage: r.coverage,
        hrefs: Object.values(r.assets).flatMap((refs) =>
          refs.map((a) => `${a.href} ${Redacted.value(a.url)}`)
        )
      }

const clientLayer = StacClient.layerWith({
  timeoutMs: 5000,
  backoffMs: 5,
  maxAttempts: 2,
  requestsPerSecond: 0
})

const searches = (f: Fx.Fixture) => f.requests.filter((q) => q.path === "/search").length

// Every patch × slot × rule found per patch, then through cells: the same decisions, far fewer searches.
const compare = (exact: boolean) =>
  Effect.gen(function* () {
    const f = yield* Effect.acquireRelease(
      Effect.promise(() => Fx.start({ items: makeItems(1), dialect: "query", exact })),
      (x) => Effect.promise(() => x.close())
    )
    const provider = { id: "earth-search", url: f.url }
    const patches = makePatches(2, 40)
    const rulesets: ReadonlyArray<Find.Rules> = [
      { provider, select: "least-cloudy", maxCloud: 10 },
      { provider, select: "closest" }
    ]
    const all = (client: StacClient.StacClient["Service"]) =>
      Effect.forEach(
        patches.flatMap((p) =>
          [slots[1], slots[2]].flatMap((s) => rulesets.map((r) => [p, s, r] as const))
        ),
        ([p, s, r]) =>
          Find.find(p, Presets.sentinel2L2A, s, r).pipe(
            Effect.map(decision),
            Effect.provideService(StacClient.StacClient, client)
          ),
        { concurrency: 4 }
      )
    const plain = yield* StacClient.StacClient
    const direct = yield* all(plain)
    const before = searches(f)
    const cells = SearchCells.withClient(plain, { intersects: exact ? "exact" : "bbox" })
    const viaCells = yield* all(cells.client)
    const cellRequests = searches(f) - before
    return { direct, viaCells, before, cellRequests, counts: cells.counts() }
  }).pipe(Effect.scoped, Effect.provide(Layer.merge(clientLayer, AssetSigner.layerNone)))

describe("SearchCells", () => {
  it.live(
    "selections through cells equal per-patch selections on a server matching exact polygons",
    () =>
      Effect.gen(function* () {
        const { direct, viaCells, before, cellRequests, counts } = yield* compare(true)
        assert.strictEqual(viaCells.length, 40 * 2 * 2)
        assert.deepStrictEqual(viaCells, direct)
        // Both outcomes occur, so the comparison is not vacuous.
        assert.isTrue(direct.some((d) => "items" in d) && direct.some((d) => "reason" in d))
        assert.isTrue(direct.some((d) => "fallback" in d && d.fallback === true))
        assert.strictEqual(counts.direct, 0)
        assert.isAtMost(
          cellRequests * 5,
          before,
          `${cellRequests} cell vs ${before} patch searches`
        )
      })
  )

  it.live("selections through cells equal per-patch selections on a server matching boxes", () =>
    Effect.gen(function* () {
      const { direct, viaCells, counts } = yield* compare(false)
      assert.deepStrictEqual(viaCells, direct)
      assert.isAbove(counts.memoryHits, counts.cellSearches)
    })
  )

  it("exact intersects differ from box matching for a turned footprint near a patch corner", () => {
    // An item whose box reaches the patch but whose turned footprint does not.
    const item = Fx.item({
      id: "x",
      collection: "c",
      datetime: "2021-06-01T00:00:00Z",
      box: [0, 0, 0, 0],
      ring: [
        [1, 0],
        [2, 1],
        [1, 2],
        [0, 1],
        [1, 0]
      ],
      assets: []
    }) as unknown as Item
    const near = patchAt(0.2, 0.2, 0)
    const inside = patchAt(1, 1, 1)
    const cases = [near, inside].map((p) => {
      const params: Search.SearchParams = {
        collections: ["c"],
        intersects: Search.patchGeometry(p)
      }
      const search: SearchCells.SearchFn<never> = () => Stream.make(item)
      return [
        SearchCells.make(search, { intersects: "exact" }).search(
          StacClient.api("http://h"),
          params
        ),
        SearchCells.make(search, { intersects: "bbox" }).search(StacClient.api("http://h"), params)
      ]
    })
    const counts = cases.map((pair) => pair.map((s) => Effect.runSync(Stream.runCollect(s)).length))
    assert.deepStrictEqual(counts, [
      [0, 1],
      [1, 1]
    ])
  })

  it("patches leaving their cell box, and box searches, are sent as they are", () => {
    const seen: Array<Search.SearchParams> = []
    const cells = SearchCells.make<never>((_, params) => {
      seen.push(params)
      return Stream.empty
    })
    const wide: Search.SearchParams = {
      collections: ["c"],
      intersects: {
        type: "Polygon",
        coordinates: [
          [
            [10.9, 45],
            [12.4, 45],
            [12.4, 45.1],
            [10.9, 45.1],
            [10.9, 45]
          ]
        ]
      }
    }
    const boxed: Search.SearchParams = { collections: ["c"], bbox: [10, 45, 10.1, 45.1] }
    for (const p of [wide, boxed])
      Effect.runSync(Stream.runCollect(cells.search(StacClient.api("http://h"), p)))
    assert.deepStrictEqual(seen, [wide, boxed])
    assert.strictEqual(cells.counts().direct, 2)
  })

  it("a cell whose search fails sends its patches' searches as they were", () => {
    const patches = makePatches(3, 6)
    const items = makeItems(4) as unknown as ReadonlyArray<Item>
    let cellCalls = 0
    const search: SearchCells.SearchFn<string> = (_, params) => {
      const xs = params.intersects!.coordinates[0].map((pt) => (pt as P)[0])
      if (Math.max(...xs) - Math.min(...xs) > 0.5) {
        cellCalls++
        return Stream.fail("cell too large for this server")
      }
      return Stream.fromIterable(items.filter((i) => Search.matches(i, i.collection, params)))
    }
    const cells = SearchCells.make(search, { intersects: "bbox" })
    for (const p of patches) {
      const params: Search.SearchParams = {
        collections: ["sentinel-2-l2a"],
        intersects: Search.patchGeometry(p)
      }
      const a = Effect.runSync(Stream.runCollect(search(StacClient.api("http://h"), params)))
      const b = Effect.runSync(Stream.runCollect(cells.search(StacClient.api("http://h"), params)))
      assert.deepStrictEqual(b.map((i) => i.id).sort(), a.map((i) => i.id).sort())
    }
    // One failed search per cell, remembered: every patch then went direct.
    assert.isAtMost(cellCalls, 9)
    assert.strictEqual(cells.counts().direct, patches.length)
    assert.strictEqual(cells.counts().cellSearches, cellCalls)
  })

  it.live("concurrent patches of one cell wait for a single cell search", () =>
    Effect.gen(function* () {
      let calls = 0
      const cells = SearchCells.make<never>(() => {
        calls++
        return Stream.fromEffect(
          Effect.sleep("5 millis").pipe(Effect.as(makeItems(5)[0] as unknown as Item))
        )
      })
      const params = (p: Patch.Patch): Search.SearchParams => ({
        collections: ["sentinel-2-l2a"],
        intersects: Search.patchGeometry(p)
      })
      const ps = Array.from({ length: 8 }, (_, k) => patchAt(10.3 + k * 0.05, 45.5, k))
      yield* Effect.forEach(
        ps,
        (p) => Stream.runCollect(cells.search(StacClient.api("http://h"), params(p))),
        {
          concurrency: "unbounded"
        }
      )
      assert.strictEqual(calls, 1)
      assert.strictEqual(cells.counts().memoryHits, 7)
    })
  )

  it("cell lists persist: another process reads them back, a damaged entry is searched again", () => {
    const files = new Map<string, Uint8Array>()
    const disk: SearchCells.Disk = {
      read: (name) => Effect.sync(() => files.get(name)),
      write: (name, bytes) => Effect.sync(() => void files.set(name, bytes))
    }
    const items = makeItems(6) as unknown as ReadonlyArray<Item>
    let calls = 0
    const search: SearchCells.SearchFn<never> = (_, params) => {
      calls++
      return Stream.fromIterable(items.filter((i) => Search.matches(i, i.collection, params)))
    }
    const params: Search.SearchParams = {
      collections: ["sentinel-2-l2a"],
      intersects: Search.patchGeometry(patchAt(11.5, 45.5, 0))
    }
    const run = (cells: SearchCells.Cells<never>) =>
      Effect.runSync(Stream.runCollect(cells.search(StacClient.api("http://h"), params)))
        .map((i) => i.id)
        .sort()
    const first = run(SearchCells.make(search, { disk }))
    assert.strictEqual(calls, 1)
    assert.strictEqual(files.size, 1)
    const other = SearchCells.make(search, { disk })
    assert.deepStrictEqual(run(other), first)
    assert.strictEqual(calls, 1)
    assert.strictEqual(other.counts().diskHits, 1)
    const [name] = [...files.keys()]
    files.set(name, new Uint8Array([1, 2, 3]))
    const third = SearchCells.make(search, { disk })
    assert.deepStrictEqual(run(third), first)
    assert.strictEqual(calls, 2)
    assert.strictEqual(third.counts().cellSearches, 1)
  })

  it("cell lists whose asset hrefs carry credentials are never written to disk", () => {
    const files = new Map<string, Uint8Array>()
    const disk: SearchCells.Disk = {
      read: (name) => Effect.sync(() => files.get(name)),
      write: (name, bytes) => Effect.sync(() => void files.set(name, bytes))
    }
    const signed = (makeItems(8) as unknown as ReadonlyArray<Item>).map((i) => ({
      ...i,
      assets: { red: { href: `https://x.blob.core.windows.net/c/${i.id}.tif?se=2030&sig=SECRET` } }
    }))
    const cells = SearchCells.make<never>(
      (_, params) =>
        Stream.fromIterable(signed.filter((i) => Search.matches(i, i.collection, params))),
      { disk }
    )
    const params: Search.SearchParams = {
      collections: ["sentinel-2-l2a"],
      intersects: Search.patchGeometry(patchAt(11.5, 45.5, 0))
    }
    const got = Effect.runSync(Stream.runCollect(cells.search(StacClient.api("http://h"), params)))
    assert.isAbove(got.length, 0)
    assert.strictEqual(files.size, 0)
    assert.strictEqual(cells.counts().cellSearches, 1)
  })

  it("memory holds at most maxItems items: evicted cells come back from disk", () => {
    const files = new Map<string, Uint8Array>()
    const disk: SearchCells.Disk = {
      read: (name) => Effect.sync(() => files.get(name)),
      write: (name, bytes) => Effect.sync(() => void files.set(name, bytes))
    }
    const items = makeItems(7) as unknown as ReadonlyArray<Item>
    const search: SearchCells.SearchFn<never> = (_, params) =>
      Stream.fromIterable(items.filter((i) => Search.matches(i, i.collection, params)))
    const cells = SearchCells.make(search, { disk, maxItems: 1 })
    const at = (lon: number, lat: number): Search.SearchParams => ({
      collections: ["sentinel-2-l2a"],
      intersects: Search.patchGeometry(patchAt(lon, lat, 0))
    })
    for (const [lon, lat] of [
      [10.5, 44.5],
      [11.5, 45.5],
      [10.5, 44.6]
    ]) {
      Effect.runSync(Stream.runCollect(cells.search(StacClient.api("http://h"), at(lon, lat))))
    }
    assert.deepStrictEqual(cells.counts(), {
      cellSearches: 2,
      memoryHits: 0,
      diskHits: 1,
      direct: 0
    })
  })
  it("prefetch searches a patch's cell once, counts no patch search, and its search then reads it", () => {
    const sent: Array<Search.SearchParams> = []
    const item = {
      type: "Feature",
      stac_version: "1.0.0",
      id: "i",
      collection: "c",
      bbox: [10, 45, 11, 46],
      geometry: {
        type: "Polygon",
        coordinates: [
          [
            [10, 45],
            [11, 45],
            [11, 46],
            [10, 46],
            [10, 45]
          ]
        ]
      },
      properties: { datetime: "2021-06-01T00:00:00Z" },
      links: [],
      assets: {}
    } as unknown as Item
    const cells = SearchCells.make<never>((_, params) => {
      sent.push(params)
      return Stream.make(item)
    })
    const source = StacClient.api("http://h")
    const params = (lon: number, lat: number): Search.SearchParams => ({
      collections: ["c"],
      intersects: Search.patchGeometry(patchAt(lon, lat, 0))
    })
    // Two patches of one cell prefetched, then the first searched: one cell search.
    Effect.runSync(cells.prefetch(source, params(10.4, 45.4)))
    Effect.runSync(cells.prefetch(source, params(10.6, 45.6)))
    assert.strictEqual(sent.length, 1)
    assert.deepStrictEqual(cells.counts(), {
      cellSearches: 1,
      memoryHits: 0,
      diskHits: 0,
      direct: 0
    })
    const found = Effect.runSync(Stream.runCollect(cells.search(source, params(10.4, 45.4))))
    assert.strictEqual(found.length, 1)
    assert.strictEqual(sent.length, 1)
    assert.strictEqual(cells.counts().memoryHits, 1)
    // A box search has no cell: nothing to prefetch, nothing sent.
    Effect.runSync(cells.prefetch(source, { collections: ["c"], bbox: [10.1, 45.1, 10.2, 45.2] }))
    assert.strictEqual(sent.length, 1)
  })
})
