// The file-collection kind over fixtures/collection (tools/fixtures/make-collection.py): footprints against
// GDAL's transforms in five CRSs (two files across the antimeridian), dates from names and TIFF tags, the
// per-patch lookup and choice, the cached index (reused, re-read when a file changes, over HTTP by ETag),
// and failures (an unreadable file, a patch with no file).
import { assert, describe, it } from "@effect/vitest"
import { AccessPolicy, Reason } from "@eoforge/core"
import { PatchGeometry } from "@eoforge/grid"
import { Footprint, RasterSource } from "@eoforge/raster"
import type { Find, Product, TimeSlots } from "@eoforge/stac"
import { Effect } from "effect"
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync
} from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { CollectionIndex, FileCollection } from "../src/index.ts"

const fixtures = resolve(__dirname, "../../../fixtures/collection")
const gdalCorners = JSON.parse(readFileSync(join(fixtures, "footprints.json"), "utf8")) as Record<
  string,
  ReadonlyArray<readonly [number, number]>
>
const layer = RasterSource.layerGeoTiffWith({ workers: 0 })

const preset = {
  spec: {
    id: "labels",
    dtype: "uint8",
    resolution: 10,
    source: "labels",
    bands: [{ name: "class" }]
  },
  bindings: { labels: { collection: "labels", assets: { class: "data" } } },
  cloudy: false,
  projected: true,
  valueTransform: "none"
} as unknown as Product.Preset

const slot = (id: string, start: string, end: string): TimeSlots.Slot => {
  const s = Date.parse(start)
  const e = Date.parse(end)
  return { id, start: s, end: e, reference: Math.floor((s + e) / 2) }
}
const summer = slot("summer", "2021-06-01T00:00:00Z", "2021-07-31T23:59:59Z")
const autumn = slot("autumn", "2021-09-01T00:00:00Z", "2021-09-30T23:59:59Z")
const winter = slot("winter", "2021-12-01T00:00:00Z", "2021-12-31T23:59:59Z")

const patchAt = (lon: number, lat: number, size = 300) =>
  PatchGeometry.make({ lon, lat, size, resolution: 10 })

const contextFor = (root: string) => ({
  key: "labels",
  resolvePath: (p: string) => resolve(root, p),
  access: AccessPolicy.make({ localRoots: [root, fixtures] })
})

const findWith = (
  source: ReturnType<typeof FileCollection.prepare>,
  lon: number,
  lat: number,
  s: TimeSlots.Slot
) => source.find({ patch: patchAt(lon, lat), preset, slot: s, rules: {} as Find.Rules })

describe("footprints", () => {
  it.effect("match GDAL's transform of the corners in every CRS, across the antimeridian too", () =>
    Effect.gen(function* () {
      let checked = 0
      for (const name of Object.keys(gdalCorners)) {
        const entry = yield* CollectionIndex.entryOf(join(fixtures, name), "x", {
          dates: { from: "none" },
          access: AccessPolicy.make({ localRoots: [fixtures] })
        })
        // The ring starts at the upper-left corner; corners are every 16th point.
        const corners = [0, 16, 32, 48].map((i) => entry.ring[i]!)
        gdalCorners[name]!.forEach(([lon, lat], k) => {
          const [x, y] = corners[k]!
          const dx = ((((x - lon) % 360) + 540) % 360) - 180
          assert.isBelow(Math.abs(dx), 1e-7, `${name} corner ${k} lon`)
          assert.isBelow(Math.abs(y - lat), 1e-7, `${name} corner ${k} lat`)
        })
        checked++
        if (name.includes("pdc") || name.includes("geo180")) {
          assert.strictEqual(entry.boxes.length, 2, `${name} is split at the antimeridian`)
          assert.strictEqual(entry.boxes[0]![2], 180)
          assert.strictEqual(entry.boxes[1]![0], -180)
        } else assert.strictEqual(entry.boxes.length, 1)
      }
      assert.strictEqual(checked, 8)
    }).pipe(Effect.provide(layer))
  )

  it("boxes of a ring fold longitudes past ±180 back", () => {
    assert.deepStrictEqual(
      Footprint.boxesOf([
        [-181, 1],
        [-179, 2]
      ]),
      [
        [179, 1, 180, 2],
        [-180, 1, -179, 2]
      ]
    )
    assert.deepStrictEqual(
      Footprint.boxesOf(
        Footprint.unwrap([
          [179.5, 0],
          [-179.5, 1]
        ])
      ),
      [
        [179.5, 0, 180, 1],
        [-180, 0, -179.5, 1]
      ]
    )
  })
})

describe("find", () => {
  const source = FileCollection.prepare(
    { files: ["*.tif"], datetime: "{yyyy}{mm}{dd}" },
    contextFor(fixtures)
  )

  it.effect(
    "picks the file of the slot's date over the patch, and the other date in another slot",
    () =>
      Effect.gen(function* () {
        const june = yield* findWith(source, 15.005, 47.845, summer)
        assert.strictEqual(june._tag, "Found")
        if (june._tag !== "Found") return
        assert.deepStrictEqual(
          june.items.map((i) => i.id),
          ["labels_utm33_20210614.tif"]
        )
        assert.strictEqual(june.datetime, Date.UTC(2021, 5, 14))
        assert.strictEqual(june.coverage, 1)
        assert.match(june.assets.class![0]!.href, /labels_utm33_20210614\.tif$/)
        const september = yield* findWith(source, 15.005, 47.845, autumn)
        assert.strictEqual(
          september._tag === "Found" && september.items[0]!.id,
          "labels_utm33_20210905.tif"
        )
      }).pipe(Effect.provide(layer))
  )

  it.effect("mosaics the tiles of one date a patch straddles", () =>
    Effect.gen(function* () {
      const f = yield* findWith(source, 15.0257, 47.845, summer)
      assert.strictEqual(f._tag, "Found")
      if (f._tag !== "Found") return
      assert.deepStrictEqual(
        f.items.map((i) => i.id),
        ["labels_utm33_20210614.tif", "labels_utm33_20210614_east.tif"]
      )
      assert.isTrue(f.mosaic)
    }).pipe(Effect.provide(layer))
  )

  it.effect("finds files across the antimeridian from either side, nearest date first", () =>
    Effect.gen(function* () {
      // PDC Mercator file: 179.968 → -179.978; geographic one: 179.98 → 180.04 (16.40–16.44°S).
      const west = yield* findWith(source, 179.99, -16.6, summer)
      assert.strictEqual(west._tag === "Found" && west.items[0]!.id, "labels_pdc_20210710.tif")
      const east = yield* findWith(source, -179.99, -16.6, summer)
      assert.strictEqual(east._tag === "Found" && east.items[0]!.id, "labels_pdc_20210710.tif")
      const geo = yield* findWith(source, -179.985, -16.42, summer)
      assert.strictEqual(geo._tag === "Found" && geo.items[0]!.id, "labels_geo180_20210712.tif")
    }).pipe(Effect.provide(layer))
  )

  it.effect(
    "a patch no file covers is NotCovered; a slot with no dated file is NoItemInWindow",
    () =>
      Effect.gen(function* () {
        const nowhere = yield* findWith(source, 10, 10, summer)
        assert.strictEqual(nowhere._tag, "Missing")
        assert.strictEqual(nowhere._tag === "Missing" && nowhere.reason, Reason.Reason.NotCovered)
        const december = yield* findWith(source, 15.005, 47.845, winter)
        assert.strictEqual(
          december._tag === "Missing" && december.reason,
          Reason.Reason.NoItemInWindow
        )
        assert.match(december._tag === "Missing" ? december.detail : "", /2 file\(s\).*winter/)
      }).pipe(Effect.provide(layer))
  )

  it.effect(
    "dates from the TIFF DateTime tag or NetCDF time_coverage_start with datetime: metadata",
    () =>
      Effect.gen(function* () {
        const meta = FileCollection.prepare(
          { files: "labels_meta.tif", datetime: "metadata" },
          contextFor(fixtures)
        )
        const f = yield* findWith(meta, 15.275, 47.757, summer)
        assert.strictEqual(f._tag === "Found" && f.datetime, Date.UTC(2021, 5, 15, 12, 30))
        // NetCDF: the ACDD time_coverage_start global attribute (no zone: UTC).
        const nc = FileCollection.prepare(
          { files: "labels_coverage.nc", datetime: "metadata" },
          contextFor(fixtures)
        )
        const g = yield* findWith(nc, 15.36, 47.79, summer)
        assert.strictEqual(g._tag === "Found" && g.datetime, Date.UTC(2021, 5, 18, 6))
        assert.strictEqual(g._tag === "Found" && g.items[0]!.id, "labels_coverage.nc")
      }).pipe(Effect.provide(layer))
  )
})

describe("the index", () => {
  it.effect("is kept in the cache folder, reused, and re-reads only a changed file", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "eoforge-collection-"))
      try {
        for (const f of readdirSync(fixtures).filter((n) => n.startsWith("labels_utm33")))
          copyFileSync(join(fixtures, f), join(dir, f))
        const cache = join(dir, "cache")
        const run = () => {
          const s = FileCollection.prepare(
            { files: "*.tif", datetime: "{yyyy}{mm}{dd}" },
            contextFor(dir)
          ).withCache!(cache) as ReturnType<typeof FileCollection.prepare>
          return findWith(s, 15.005, 47.845, summer).pipe(
            Effect.map((f) => ({ f, counts: s.counts() }))
          )
        }
        const first = yield* run()
        assert.deepStrictEqual(first.counts, { opened: 3, reused: 0 })
        assert.strictEqual(readdirSync(cache).filter((n) => n.endsWith(".json.gz")).length, 1)
        const second = yield* run()
        assert.deepStrictEqual(second.counts, { opened: 0, reused: 3 })
        // Replace the June tile by the east tile's pixels (other size/mtime): only it is read again.
        copyFileSync(join(fixtures, "labels_meta.tif"), join(dir, "labels_utm33_20210614.tif"))
        utimesSync(join(dir, "labels_utm33_20210614.tif"), new Date(), new Date(Date.now() + 5000))
        const third = yield* run()
        assert.deepStrictEqual(third.counts, { opened: 1, reused: 2 })
        // Its footprint moved with its contents: only the September file still overlaps the patch.
        assert.strictEqual(
          third.f._tag === "Missing" && third.f.reason,
          Reason.Reason.NoItemInWindow
        )
        assert.match(third.f._tag === "Missing" ? third.f.detail : "", /^1 file\(s\)/)
        // Another date rule is another index; the folder keeps only the current one.
        const before = readdirSync(cache).filter((n) => n.endsWith(".json.gz"))
        const metadata = FileCollection.prepare(
          { files: "*.tif", datetime: "metadata" },
          contextFor(dir)
        ).withCache!(cache) as ReturnType<typeof FileCollection.prepare>
        yield* findWith(metadata, 15.005, 47.845, summer)
        assert.deepStrictEqual(metadata.counts(), { opened: 3, reused: 0 })
        const after = readdirSync(cache).filter((n) => n.endsWith(".json.gz"))
        assert.strictEqual(after.length, 1)
        assert.notDeepEqual(after, before)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }).pipe(Effect.provide(layer))
  )

  it.effect("an unreadable file is a CollectionError naming it, and every find says so", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "eoforge-collection-"))
      try {
        copyFileSync(join(fixtures, "labels_utm33_20210614.tif"), join(dir, "a_20210614.tif"))
        writeFileSync(join(dir, "b_20210615.tif"), "this is not a raster")
        const error = yield* FileCollection.index(
          [join(dir, "a_20210614.tif"), join(dir, "b_20210615.tif")],
          {
            dates: { from: "none" },
            access: AccessPolicy.make({ localRoots: [dir] })
          }
        ).pipe(Effect.flip)
        assert.strictEqual(error._tag, "CollectionError")
        assert.strictEqual(error.problem, "Unreadable")
        assert.match(error.file, /b_20210615\.tif$/)
        assert.match(error.message, /fix or remove the file/)
        const s = FileCollection.prepare({ files: "*.tif" }, contextFor(dir))
        const f = yield* findWith(s, 15.005, 47.845, summer)
        assert.strictEqual(f._tag === "Missing" && f.reason, Reason.Reason.SourceError)
        assert.match(f._tag === "Missing" ? f.detail : "", /b_20210615\.tif/)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }).pipe(Effect.provide(layer))
  )

  it.effect(
    "a listed file outside the access policy's roots is refused before anything is read",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "eoforge-collection-"))
        try {
          const error = yield* FileCollection.index([join(fixtures, "labels_meta.tif")], {
            dates: { from: "none" },
            access: AccessPolicy.make({ localRoots: [dir] })
          }).pipe(Effect.flip)
          assert.strictEqual(error.problem, "Unreadable")
          assert.match(error.message, /labels_meta\.tif: refused by the access policy/)
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }).pipe(Effect.provide(layer))
  )

  it.effect("indexes a text file of URLs over HTTP and revalidates by ETag", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "eoforge-collection-"))
      const bytes = new Map(
        ["labels_utm33_20210614.tif", "labels_geo_20210701.tif"].map((n) => [
          `/${n}`,
          readFileSync(join(fixtures, n))
        ])
      )
      const version = { n: 1 }
      const heads: Array<string> = []
      const server = createServer((req, res) => {
        const body = bytes.get(req.url ?? "")
        if (body === undefined) return void res.writeHead(404).end()
        const etag = `"v${version.n}-${body.length}"`
        if (req.method === "HEAD") {
          heads.push(req.url!)
          return void res.writeHead(200, { etag, "content-length": body.length }).end()
        }
        const m = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range ?? ""))
        if (m === null) return void res.writeHead(200, { etag }).end(body)
        const end = Math.min(Number(m[2]), body.length - 1)
        res
          .writeHead(206, {
            etag,
            "content-range": `bytes ${m[1]}-${end}/${body.length}`,
            "content-length": end - Number(m[1]) + 1
          })
          .end(body.subarray(Number(m[1]), end + 1))
      })
      yield* Effect.promise(() => new Promise<void>((r) => server.listen(0, "127.0.0.1", r)))
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      try {
        writeFileSync(
          join(dir, "urls.txt"),
          `# labels\n${base}/labels_utm33_20210614.tif\n\n${base}/labels_geo_20210701.tif\n`
        )
        const context = {
          ...contextFor(dir),
          access: AccessPolicy.make({
            localRoots: [dir],
            hosts: ["127.0.0.1"],
            allowPrivateNetworks: true
          })
        }
        const run = () => {
          const s = FileCollection.prepare(
            {
              urlList: "urls.txt",
              datetime: { regex: "_(?<year>\\d{4})(?<month>\\d{2})(?<day>\\d{2})" }
            },
            context
          ).withCache!(join(dir, "cache")) as ReturnType<typeof FileCollection.prepare>
          return findWith(s, -34.985, -8.012, summer).pipe(
            Effect.map((f) => ({ f, counts: s.counts() }))
          )
        }
        const first = yield* run()
        assert.strictEqual(
          first.f._tag === "Found" ? first.f.items[0]!.id : first.f.detail,
          "labels_geo_20210701.tif"
        )
        assert.deepStrictEqual(first.counts, { opened: 2, reused: 0 })
        assert.deepStrictEqual((yield* run()).counts, { opened: 0, reused: 2 })
        version.n = 2
        assert.deepStrictEqual((yield* run()).counts, { opened: 2, reused: 0 })
        assert.strictEqual(heads.length, 6)
      } finally {
        server.close()
        rmSync(dir, { recursive: true, force: true })
      }
    }).pipe(Effect.provide(layer))
  )
})

describe("entries", () => {
  it("refuse what cannot work, naming the key and the fix", () => {
    const bad = (raw: Record<string, unknown>) => () => FileCollection.entryOf(raw, "labels")
    assert.throws(bad({ type: "file-collection" }), /files \(a glob\), urls \(a list\) or urlList/)
    assert.throws(bad({ files: "*.tif", datetime: "{yyyy}{mm}" }), /datetime: .*\{mm\} and \{dd\}/)
    assert.throws(
      bad({ files: "*.tif", dateTime: "{yyyy}{mm}{dd}" }),
      /dateTime is not a key.*datetime/
    )
    assert.throws(bad({ files: "*.tif", maxFiles: 0 }), /maxFiles must be a positive integer/)
    assert.strictEqual(
      FileCollection.entryOf({ files: "a/*.tif" }, "labels").entry.files?.[0],
      "a/*.tif"
    )
  })
})
