import { assert, describe, it } from "@effect/vitest"
import { Crs, type Patch, Reason } from "@eoforge/core"
import { Effect, Layer, Redacted, Stream } from "effect"
import { AssetSigner, Find, Presets, Product, Search, StacClient, TimeSlots } from "../src/index.ts"
import * as Fx from "./fixture/stacServer.ts"

const patchAt = (lon: number, lat: number, half = 0.02): Patch.Patch => ({
  id: `p_${lon}_${lat}`,
  lon,
  lat,
  grid: { crs: Crs.epsg(32632), x0: 0, y0: 0, resolution: 10, width: 264, height: 264 },
  footprint: [
    [lon - half, lat + half],
    [lon + half, lat + half],
    [lon + half, lat - half],
    [lon - half, lat - half]
  ]
})

const box: [number, number, number, number] = [10, 45, 11, 46]
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
const l2a = (id: string, datetime: string, cloud: number, extra: Partial<Fx.ItemOptions> = {}) =>
  Fx.item({
    id,
    collection: "sentinel-2-l2a",
    datetime,
    cloud,
    box,
    assets: S2,
    relativeOrbit: 22,
    ...extra
  })
const l1c = (id: string, datetime: string, cloud: number, datatake: string) =>
  Fx.item({
    id,
    collection: "sentinel-2-l1c",
    datetime,
    cloud,
    box,
    assets: [...S2, "cirrus"],
    datatake
  })
const s1 = (id: string, datetime: string, relativeOrbit: number) =>
  Fx.item({
    id,
    collection: "sentinel-1-grd",
    datetime,
    box,
    assets: ["vv", "vh"],
    relativeOrbit,
    orbitState: "ascending",
    epsg: null,
    transform: false,
    // As Earth Search and Planetary Computer publish them.
    properties: {
      "sar:instrument_mode": "IW",
      "sar:product_type": "GRD",
      "sar:polarizations": ["VV", "VH"]
    }
  })

const items: ReadonlyArray<Fx.FixtureItem> = [
  // summer 2021 window: 2021-06-06 … 2021-07-06 (reference 06-21)
  l2a("L2A_A", "2021-06-10T10:10:31Z", 5, { datatake: "GS2A_20210610T101031_031211_N03.00" }),
  l2a("L2A_B", "2021-06-20T10:10:31Z", 8, { datatake: "GS2B_20210620T101031_022345_N03.00" }),
  l2a("L2A_C", "2021-07-05T10:10:31Z", 9, {
    datatake: "GS2A_20210705T101031_031568_N03.00",
    relativeOrbit: 65
  }),
  l2a("L2A_cloudy", "2021-06-15T10:10:31Z", 55),
  l1c("L1C_A", "2021-06-10T10:10:31Z", 5, "GS2A_20210610T101031_031211_N02.09"),
  l1c("L1C_other", "2021-06-12T10:10:31Z", 1, "GS2B_20210612T101031_022222_N02.09"),
  s1("S1_near", "2021-06-12T05:00:00Z", 117),
  s1("S1_far", "2021-06-30T05:00:00Z", 44),
  // spring 2021 window: 2021-03-05 … 2021-04-04; edge items
  l2a("L2A_edge_in", "2021-04-04T23:59:59Z", 3),
  l2a("L2A_edge_out", "2021-04-05T00:00:00Z", 1),
  // autumn: only cloudy in 2021, a clear one in 2020 (fallback year)
  l2a("L2A_autumn_cloudy", "2021-09-20T10:00:00Z", 40),
  l2a("L2A_autumn_2020", "2020-09-25T10:00:00Z", 4),
  // a different place: two half tiles of one pass meet at lon 10.5 (mosaic)
  Fx.item({
    id: "L2A_west",
    collection: "sentinel-2-l2a",
    datetime: "2021-06-10T10:10:31Z",
    cloud: 2,
    box: [20, 45, 20.5, 46],
    assets: S2
  }),
  Fx.item({
    id: "L2A_east",
    collection: "sentinel-2-l2a",
    datetime: "2021-06-10T10:10:35Z",
    cloud: 3,
    box: [20.5, 45, 21, 46],
    assets: S2
  }),
  // unusable items, in their own collections
  Fx.item({
    id: "NOPROJ",
    collection: "bad-proj",
    datetime: "2021-06-10T10:00:00Z",
    box,
    assets: ["data"],
    epsg: null,
    properties: { "proj:code": "EPSG 32633" }
  }),
  Fx.item({
    id: "PNG",
    collection: "bad-type",
    datetime: "2021-06-10T10:00:00Z",
    box,
    assets: ["data"],
    assetType: "image/png"
  })
]

const summer = TimeSlots.ssl4eoSeasons({ year: 2021, fallbackYear: 2020 })[1]
const spring = TimeSlots.ssl4eoSeasons({ year: 2021 })[0]
const autumn = TimeSlots.ssl4eoSeasons({ year: 2021, fallbackYear: 2020 })[2]
const winter = TimeSlots.ssl4eoSeasons({ year: 2021, fallbackYear: 2020 })[3]
const patch = patchAt(10.5, 45.5)

const withServer = <A, E>(
  options: Partial<Fx.ServerOptions>,
  body: (
    provider: Presets.Provider,
    f: Fx.Fixture
  ) => Effect.Effect<A, E, StacClient.StacClient | AssetSigner.AssetSigner>
) =>
  Effect.acquireRelease(
    Effect.promise(() => Fx.start({ items, dialect: "both", ...options })),
    (f) => Effect.promise(() => f.close())
  ).pipe(
    Effect.flatMap((f) =>
      body({ id: "earth-search", url: f.url }, f).pipe(
        Effect.provide(
          Layer.merge(
            StacClient.layerWith({
              timeoutMs: 2000,
              backoffMs: 5,
              maxAttempts: 3,
              requestsPerSecond: 0
            }),
            AssetSigner.layerNone
          )
        )
      )
    ),
    Effect.scoped
  )

const found = (r: Find.Found | Find.Missing): Find.Found => {
  if (r._tag !== "Found")
    throw new Error(`expected Found, got ${Reason.name(r.reason)}: ${r.detail}`)
  return r
}

describe("Find", () => {
  it.live("least cloudy, closest and most recent each pick their own item", () =>
    withServer({}, (provider) =>
      Effect.gen(function* () {
        const rules = { provider, maxCloud: 10 }
        const a = found(
          yield* Find.find(patch, Presets.sentinel2L2A, summer, {
            ...rules,
            select: "least-cloudy"
          })
        )
        const b = found(
          yield* Find.find(patch, Presets.sentinel2L2A, summer, { ...rules, select: "closest" })
        )
        const c = found(
          yield* Find.find(patch, Presets.sentinel2L2A, summer, { ...rules, select: "most-recent" })
        )
        assert.deepStrictEqual(
          [a.items[0].id, b.items[0].id, c.items[0].id],
          ["L2A_A", "L2A_B", "L2A_C"]
        )
        assert.strictEqual(a.cloud, 5)
        assert.strictEqual(a.datetime, Date.parse("2021-06-10T10:10:31Z"))
        assert.isFalse(a.fallback)
        assert.strictEqual(Object.keys(a.assets).length, 12)
        assert.strictEqual(a.assets.B04[0].key, "red")
        assert.strictEqual(a.assets.B04[0].offset, -0.1)
      })
    )
  )

  it.live("pairs L1C with the L2A datatake even when another L1C is less cloudy", () =>
    withServer({}, (provider) =>
      Effect.gen(function* () {
        const a = found(
          yield* Find.find(patch, Presets.sentinel2L2A, summer, {
            provider,
            select: "least-cloudy",
            maxCloud: 10
          })
        )
        const l1 = found(
          yield* Find.find(patch, Presets.sentinel2L1C, summer, {
            provider,
            select: "least-cloudy",
            maxCloud: 10,
            sameDatatakeAs: a
          })
        )
        assert.strictEqual(l1.items[0].id, "L1C_A")
        assert.strictEqual(Object.keys(l1.assets).length, 13)
        const b = found(
          yield* Find.find(patch, Presets.sentinel2L2A, summer, {
            provider,
            select: "closest",
            maxCloud: 10
          })
        )
        const none = yield* Find.find(patch, Presets.sentinel2L1C, summer, {
          provider,
          select: "least-cloudy",
          maxCloud: 10,
          sameDatatakeAs: b
        })
        assert.strictEqual(none._tag, "Missing")
        assert.strictEqual((none as Find.Missing).reason, Reason.Reason.PairingFailed)
      })
    )
  )

  it.live(
    "Sentinel-1 items without the polarisations asked are skipped: PolarisationMissing names what they have",
    () =>
      withServer({}, (provider) =>
        Effect.gen(function* () {
          const r = yield* Find.find(
            patch,
            Presets.sentinel1Grd({ polarisations: ["HH", "HV"] }),
            summer,
            {
              provider,
              select: "closest"
            }
          )
          assert.strictEqual(r._tag, "Missing")
          assert.strictEqual((r as Find.Missing).reason, Reason.Reason.PolarisationMissing)
          assert.include((r as Find.Missing).detail, "HH+HV")
          assert.include((r as Find.Missing).detail, '["VV","VH"]')
          const ew = yield* Find.find(patch, Presets.sentinel1Grd({ mode: "EW" }), summer, {
            provider,
            select: "closest"
          })
          assert.strictEqual((ew as Find.Missing).reason, Reason.Reason.NoItemInWindow)
        })
      )
  )

  it.live("pairs Sentinel-1 within Δt of the Sentinel-2 date and records the achieved Δt", () =>
    withServer({}, (provider) =>
      Effect.gen(function* () {
        const a = found(
          yield* Find.find(patch, Presets.sentinel2L2A, summer, {
            provider,
            select: "least-cloudy",
            maxCloud: 10
          })
        )
        const s = found(
          yield* Find.find(patch, Presets.sentinel1Grd(), summer, {
            provider,
            select: "closest",
            near: { found: a, maxDays: 12 }
          })
        )
        assert.strictEqual(s.items[0].id, "S1_near")
        assert.strictEqual(
          s.deltaT,
          Date.parse("2021-06-12T05:00:00Z") - Date.parse("2021-06-10T10:10:31Z")
        )
        assert.strictEqual(s.relativeOrbit, 117)
        const tight = yield* Find.find(patch, Presets.sentinel1Grd(), summer, {
          provider,
          select: "closest",
          near: { found: a, maxDays: 1 }
        })
        assert.strictEqual((tight as Find.Missing).reason, Reason.Reason.PairingFailed)
        const orbit = found(
          yield* Find.find(patch, Presets.sentinel1Grd(), summer, {
            provider,
            select: "closest",
            near: { found: a, maxDays: 30 },
            relativeOrbit: 44
          })
        )
        assert.strictEqual(orbit.items[0].id, "S1_far")
      })
    )
  )

  it.live(
    "includes an item at 23:59:59 of a window's last day and excludes the next midnight",
    () =>
      withServer({}, (provider) =>
        Effect.gen(function* () {
          const r = found(
            yield* Find.find(patch, Presets.sentinel2L2A, spring, {
              provider,
              select: "least-cloudy",
              maxCloud: 10
            })
          )
          assert.strictEqual(r.items[0].id, "L2A_edge_in")
        })
      )
  )

  it.live("falls back to the previous year when the slot is too cloudy, and says so", () =>
    withServer({}, (provider) =>
      Effect.gen(function* () {
        const r = found(
          yield* Find.find(patch, Presets.sentinel2L2A, autumn, {
            provider,
            select: "least-cloudy",
            maxCloud: 10
          })
        )
        assert.strictEqual(r.items[0].id, "L2A_autumn_2020")
        assert.isTrue(r.fallback)
        assert.strictEqual(r.window.start, autumn.fallback!.start)
        const noFallback = { ...autumn, fallback: undefined }
        const m = yield* Find.find(patch, Presets.sentinel2L2A, noFallback, {
          provider,
          select: "least-cloudy",
          maxCloud: 10
        })
        assert.strictEqual((m as Find.Missing).reason, Reason.Reason.TooCloudy)
      })
    )
  )

  it.live("reports NoItemInWindow when neither the slot nor its fallback has an item", () =>
    withServer({}, (provider) =>
      Effect.gen(function* () {
        const m = yield* Find.find(patch, Presets.sentinel2L2A, winter, {
          provider,
          select: "least-cloudy",
          maxCloud: 10
        })
        assert.strictEqual(m._tag, "Missing")
        assert.strictEqual((m as Find.Missing).reason, Reason.Reason.NoItemInWindow)
        assert.include((m as Find.Missing).detail, "fallback")
      })
    )
  )

  it.live(
    "mosaics same-day items when none covers the patch, or reports NotCovered when mosaics are off",
    () =>
      withServer({}, (provider) =>
        Effect.gen(function* () {
          const p = patchAt(20.5, 45.5)
          const r = found(
            yield* Find.find(p, Presets.sentinel2L2A, summer, {
              provider,
              select: "least-cloudy",
              maxCloud: 10
            })
          )
          assert.isTrue(r.mosaic)
          assert.strictEqual(r.coverage, 1)
          assert.deepStrictEqual(
            r.items.map((i) => i.id),
            ["L2A_west", "L2A_east"]
          )
          assert.strictEqual(r.assets.B02.length, 2)
          const off = yield* Find.find(p, Presets.sentinel2L2A, summer, {
            provider,
            select: "least-cloudy",
            maxCloud: 10,
            allowMosaic: false
          })
          assert.strictEqual((off as Find.Missing).reason, Reason.Reason.NotCovered)
        })
      )
  )

  it.live("turns a catalogue that keeps failing into a SourceError reason", () =>
    withServer({ fail503: 100 }, (provider) =>
      Effect.gen(function* () {
        const m = yield* Find.find(patch, Presets.sentinel2L2A, summer, {
          provider,
          select: "least-cloudy",
          maxCloud: 10
        })
        assert.strictEqual((m as Find.Missing).reason, Reason.Reason.SourceError)
        assert.include((m as Find.Missing).detail, "503")
      })
    )
  )

  it.live("names the item and asset whose projection is malformed or that is not a GeoTIFF", () =>
    withServer({}, (provider) =>
      Effect.gen(function* () {
        const custom = (collection: string) =>
          Product.fromCustom({
            id: collection,
            provider: "earth-search",
            collection,
            bands: [{ name: "b", asset: "data" }],
            dtype: "uint8",
            resolution: 10
          })
        const e1 = yield* Effect.flip(
          Find.find(patch, custom("bad-proj"), summer, { provider, select: "most-recent" })
        )
        assert.strictEqual(e1._tag, "ItemError")
        assert.include(e1.message, "NOPROJ")
        assert.include(e1.message, `asset "data"`)
        assert.include(e1.message, "NoProjection")
        assert.include(e1.message, "EPSG 32633")
        const e2 = yield* Effect.flip(
          Find.find(patch, custom("bad-type"), summer, { provider, select: "most-recent" })
        )
        assert.include(e2.message, "PNG")
        assert.include(e2.message, "NotGeoTiff")
        assert.include(e2.message, "image/png")
        const e3 = yield* Effect.flip(
          Find.find(patch, custom("nowhere"), summer, { provider, select: "most-recent" })
        )
        assert.strictEqual(e3._tag, "UnknownCollectionError")
        assert.include(e3.message, "nowhere")
      })
    )
  )

  it.live("signed asset URLs never appear when a result is serialised", () =>
    withServer({}, (provider) =>
      Effect.gen(function* () {
        const r = found(
          yield* Find.find(patch, Presets.sentinel2L2A, summer, {
            provider,
            select: "least-cloudy",
            maxCloud: 10
          })
        )
        const text = JSON.stringify(r)
        assert.include(text, "<redacted>")
        assert.strictEqual(Redacted.value(r.assets.B02[0].url), r.assets.B02[0].href)
      })
    )
  )
})

describe("search across the antimeridian", () => {
  // Three items along the same latitudes: either side of ±180° and one far away (a server evaluating a ring
  // around the whole latitude band would answer it too).
  const along = (id: string, box: [number, number, number, number]) =>
    Fx.item({
      id,
      collection: "sentinel-2-l2a",
      datetime: "2021-06-10T10:10:31Z",
      cloud: 1,
      box,
      assets: S2
    })
  const bandItems = [
    along("EAST_OF_DATELINE", [-180, -17.2, -179.8, -16.8]),
    along("WEST_OF_DATELINE", [179.8, -17.2, 180, -16.8]),
    along("FAR", [10, -17.2, 10.2, -16.8])
  ]
  const across = (lon: number, lat: number, half: number): Patch.Patch => {
    const wrap = (x: number) => (x > 180 ? x - 360 : x < -180 ? x + 360 : x)
    return {
      ...patchAt(lon, lat, half),
      footprint: [
        [wrap(lon - half), lat + half],
        [wrap(lon + half), lat + half],
        [wrap(lon + half), lat - half],
        [wrap(lon - half), lat - half]
      ]
    }
  }

  for (const [lon, exact] of [
    [179.995, false],
    [-179.99, false],
    [180, true],
    [179.992, true]
  ] as const) {
    it.live(
      `a patch at ${lon}° (${exact ? "exact" : "box"} intersects) is searched as its two parts`,
      () =>
        withServer({ items: bandItems, exact }, (provider, f) =>
          Effect.gen(function* () {
            const client = yield* StacClient.StacClient
            const p = across(lon, -17, 0.012)
            const g = Search.patchGeometry(p)
            assert.strictEqual(g.type, "MultiPolygon")
            const got = yield* Stream.runCollect(
              client.search(StacClient.api(provider.url), {
                collections: ["sentinel-2-l2a"],
                intersects: g
              })
            )
            assert.deepStrictEqual(Array.from(got, (i) => i.id).sort(), [
              "EAST_OF_DATELINE",
              "WEST_OF_DATELINE"
            ])
            const sent = f.requests.filter((r) => r.path.endsWith("/search")).at(-1)?.body as any
            assert.strictEqual(sent.intersects.type, "MultiPolygon")
            const lons: Array<number> = sent.intersects.coordinates
              .flat(2)
              .map((q: [number, number]) => q[0])
            assert.isTrue(lons.every((x) => x >= -180 && x <= 180))
            // The ring as it was sent before: the server read it as a band around the globe.
            const [ul, ur, lr, ll] = p.footprint
            const raw = yield* Stream.runCollect(
              client.search(StacClient.api(provider.url), {
                collections: ["sentinel-2-l2a"],
                intersects: { type: "Polygon", coordinates: [[ul, ll, lr, ur, ul]] }
              })
            )
            assert.include(
              Array.from(raw, (i) => i.id),
              "FAR"
            )
            // And Find picks an item over the patch.
            const r = yield* Find.find(p, Presets.sentinel2L2A, summer, {
              provider,
              maxCloud: 10,
              select: "least-cloudy"
            })
            assert.notInclude(r._tag === "Found" ? r.items.map((i) => i.id) : [], "FAR")
          })
        )
    )
  }

  it("a patch that does not cross keeps its one polygon", () => {
    const g = Search.patchGeometry(patchAt(179.9, -17, 0.05))
    assert.strictEqual(g.type, "Polygon")
  })
})
