// Tile arithmetic (names by corner, hemispheres, antimeridian), recipe-entry validation, URL templates, and
// finding over a local folder of tiles: present tiles are assets, absent ones are left out or NotCovered.
import { assert, describe, it } from "@effect/vitest"
import { AccessPolicy, type Patch, Reason } from "@eoforge/core"
import type { Find, Product, TimeSlots } from "@eoforge/stac"
import { Effect, Exit, Redacted } from "effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { TiledArchive, Tiling } from "../src/index.ts"

// A footprint from a lon/lat box (upper-left, upper-right, lower-right, lower-left).
const box = (w: number, s: number, e: number, n: number): Patch.Patch["footprint"] => [
  [w, n],
  [e, n],
  [e, s],
  [w, s]
]

const names = (tiling: Tiling.LonLatTiling, f: Patch.Patch["footprint"]) =>
  Tiling.tilesOf(tiling, f).map((t) => t.name)

describe("tilings", () => {
  it("1° tiles are named by their south-west corner in every hemisphere", () => {
    assert.strictEqual(Tiling.tileAt("one-degree-sw", -89.5, 48.2).name, "N48W090")
    assert.strictEqual(Tiling.tileAt("one-degree-sw", 10.5, -0.5).name, "S01E010")
    assert.strictEqual(Tiling.tileAt("one-degree-sw", -0.1, 0.1).name, "N00W001")
    assert.strictEqual(Tiling.tileAt("one-degree-sw", 179.9, -33.3).name, "S34E179")
    assert.strictEqual(Tiling.tileAt("one-degree-sw", -180, 5).name, "N05W180")
  })

  it("1° tiles named by their north-west corner (GSSIC): N48W090 covers 47–48°N, S01E012 1–2°S", () => {
    const t = Tiling.tileAt("one-degree-nw", -89.5, 47.5)
    assert.deepStrictEqual(
      [t.name, t.west, t.south, t.east, t.north],
      ["N48W090", -90, 47, -89, 48]
    )
    assert.strictEqual(Tiling.tileAt("one-degree-nw", 12.5, -1.5).name, "S01E012")
    assert.deepStrictEqual(names("one-degree-nw", box(-89.9, 47.9, -89.8, 48.1)), [
      "N49W090",
      "N48W090"
    ])
  })

  it("10° tiles are named by their north-west corner (ESA CCI Biomass)", () => {
    assert.strictEqual(Tiling.tileAt("ten-degree-nw", -5, 45).name, "N50W010")
    assert.strictEqual(Tiling.tileAt("ten-degree-nw", 3, -3).name, "N00E000")
    assert.strictEqual(Tiling.tileAt("ten-degree-nw", -61, -12).name, "S10W070")
    const t = Tiling.tileAt("ten-degree-nw", 25, 61)
    assert.deepStrictEqual([t.west, t.south, t.east, t.north], [20, 60, 30, 70])
  })

  it("a footprint touches the tiles it overlaps, north to south then west to east; edges do not count", () => {
    assert.deepStrictEqual(names("one-degree-sw", box(10.2, 48.2, 10.8, 48.8)), ["N48E010"])
    assert.deepStrictEqual(names("one-degree-sw", box(10.9, 48.9, 11.1, 49.1)), [
      "N49E010",
      "N49E011",
      "N48E010",
      "N48E011"
    ])
    assert.deepStrictEqual(names("one-degree-sw", box(10, 48, 11, 49)), ["N48E010"])
    assert.deepStrictEqual(names("ten-degree-nw", box(-1, 39, 1, 41)), [
      "N50W010",
      "N50E000",
      "N40W010",
      "N40E000"
    ])
  })

  it("a footprint across the antimeridian touches tiles on both sides, not the whole world", () => {
    assert.deepStrictEqual(names("one-degree-sw", box(179.8, -17.6, -179.8, -17.2)), [
      "S18E179",
      "S18W180"
    ])
  })
})

const slot: TimeSlots.Slot = {
  id: "summer",
  start: Date.parse("2020-06-01"),
  end: Date.parse("2020-08-31T23:59:59.999Z"),
  reference: Date.parse("2020-07-15")
}

const prepare = (entry: Record<string, unknown>, root = "/") =>
  TiledArchive.prepare(
    { type: "tiled-archive", ...entry },
    {
      key: "tiles",
      resolvePath: (p) => join(root, p),
      access: AccessPolicy.make({ localRoots: [root] })
    }
  )

const thrown = (f: () => unknown): string => {
  try {
    f()
  } catch (error) {
    return (error as Error).message
  }
  return ""
}

describe("recipe entries and URL templates", () => {
  it("refuses a template without {tile}, an unknown tiling, an unknown key and a bad datetime", () => {
    assert.include(
      thrown(() => prepare({ url: "https://h/a.tif", tiling: "one-degree-sw" })),
      "{tile}"
    )
    assert.include(
      thrown(() => prepare({ url: "https://h/{tile}.tif", tiling: "5deg" })),
      "tiling"
    )
    assert.include(
      thrown(() => prepare({ url: "https://h/{tile}_{season}.tif", tiling: "one-degree-sw" })),
      "{season}"
    )
    assert.include(
      thrown(() =>
        prepare({ url: "https://h/{tile}.tif", tiling: "one-degree-sw", datetime: "summer" })
      ),
      "datetime"
    )
    assert.strictEqual(
      thrown(() =>
        prepare({
          url: "https://h/{tile}_{season}.tif",
          tiling: "one-degree-sw",
          values: { season: { summer: "JJA" } }
        })
      ),
      ""
    )
  })

  it("fills {tile}, {asset}, {slot}, {year} and per-slot values", () => {
    const u = TiledArchive.urlOf(
      "https://h/{tile}/{tile}_{season}_{asset}_{year}_{slot}.tif",
      { season: { summer: "JJA" } },
      "N48W090",
      "vv_COH12",
      slot
    )
    assert.deepStrictEqual(u, { url: "https://h/N48W090/N48W090_JJA_vv_COH12_2020_summer.tif" })
    assert.deepStrictEqual(
      TiledArchive.urlOf("https://h/{tile}_{season}.tif", { season: {} }, "N48W090", "a", slot),
      { missingKey: "season" }
    )
  })
})

const preset: Product.Preset = {
  spec: {
    id: "dem",
    dtype: "int16",
    resolution: 30,
    source: "test",
    bands: [{ name: "elevation", nodata: -32768 }]
  },
  bindings: { tiles: { collection: "test", assets: { elevation: "hgt" } } },
  cloudy: false,
  projected: false,
  valueTransform: "none"
} as unknown as Product.Preset

const patchAt = (footprint: Patch.Patch["footprint"]) =>
  ({ id: "p", lon: 0, lat: 0, footprint }) as unknown as Patch.Patch

describe("finding tiles in a local folder", () => {
  const root = mkdtempSync(join(tmpdir(), "eoforge-archive-"))
  mkdirSync(join(root, "tiles"))
  for (const t of ["N48E010", "N48E011"]) writeFileSync(join(root, "tiles", `${t}.hgt`), "x")

  const source = prepare(
    { url: "tiles/{tile}.{asset}", tiling: "one-degree-sw", datetime: { summer: "2000-02-11" } },
    root
  )
  // The kind never uses the raster service while finding: no layer is provided.
  const find = (footprint: Patch.Patch["footprint"]) =>
    Effect.runPromise(
      source.find({
        patch: patchAt(footprint),
        preset,
        slot,
        rules: {} as Find.Rules
      }) as Effect.Effect<Find.Found | Find.Missing, unknown>
    )
  const found = async (footprint: Patch.Patch["footprint"]) => {
    const r = await find(footprint)
    if (r._tag !== "Found") throw new Error(`expected Found, got ${r.detail}`)
    return r
  }

  it("a patch over present tiles is Found, one asset per tile in paint order, a mosaic when several", async () => {
    const f = await found(box(10.9, 48.2, 11.1, 48.4))
    const refs = f.assets.elevation
    assert.deepStrictEqual(
      refs.map((r) => r.item),
      ["N48E010", "N48E011"]
    )
    assert.strictEqual(Redacted.value(refs[1].url), join(root, "tiles/N48E011.hgt"))
    assert.deepStrictEqual(
      refs.map((r) => [r.key, r.href]),
      [
        ["hgt", join(root, "tiles/N48E010.hgt")],
        ["hgt", join(root, "tiles/N48E011.hgt")]
      ]
    )
    assert.strictEqual(f.mosaic, true)
    assert.strictEqual(f.coverage, 1)
    assert.strictEqual(f.datetime, Date.parse("2000-02-11"))
  })

  it("absent tiles are left out (coverage drops); all absent is NotCovered naming them", async () => {
    const partial = await found(box(10.5, 48.5, 10.7, 49.5))
    assert.closeTo(partial.coverage, 0.5, 1e-9)
    assert.strictEqual(partial.mosaic, false)
    const none = await find(box(12.2, 48.2, 12.4, 48.4))
    assert.strictEqual(none._tag, "Missing")
    if (none._tag !== "Missing") return
    assert.strictEqual(none.reason, Reason.Reason.NotCovered)
    assert.include(none.detail, "N48E012")
    assert.include(none.detail, "N48E012.hgt")
  })

  it("check refuses an archive outside the access policy, naming the fix", async () => {
    const outside = TiledArchive.prepare(
      {
        type: "tiled-archive",
        url: "https://tiles.example.org/{tile}.tif",
        tiling: "one-degree-sw"
      },
      { key: "tiles", resolvePath: (p) => p, access: AccessPolicy.make({ localRoots: [root] }) }
    )
    const exit = await Effect.runPromiseExit(outside.check!)
    assert.isTrue(Exit.isFailure(exit))
    assert.include(String(exit), "access.hosts")
    const inside = await Effect.runPromiseExit(source.check!)
    assert.isTrue(Exit.isSuccess(inside))
    rmSync(root, { recursive: true, force: true })
  })
})

describe("probing tiles over HTTP", () => {
  it("a server refusing HEAD is asked for one byte; a 503 is SourceError and asked again next time", async () => {
    const seen: Array<string> = []
    let failures = 1
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.range ?? ""}`.trim())
      if (req.method === "HEAD") return void res.writeHead(405).end()
      if (req.url === "/N48E010.tif") return void res.writeHead(206).end("x")
      if (req.url === "/N48E011.tif" && failures-- > 0) return void res.writeHead(503).end()
      if (req.url === "/N48E011.tif") return void res.writeHead(206).end("x")
      res.writeHead(404).end()
    })
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
    const port = (server.address() as AddressInfo).port
    const source = TiledArchive.prepare(
      {
        type: "tiled-archive",
        url: `http://127.0.0.1:${port}/{tile}.tif`,
        tiling: "one-degree-sw"
      },
      {
        key: "tiles",
        resolvePath: (p) => p,
        access: AccessPolicy.make({ hosts: ["127.0.0.1"], allowPrivateNetworks: true })
      }
    )
    const find = () =>
      Effect.runPromise(
        source.find({
          patch: patchAt(box(10.9, 48.2, 11.1, 48.4)),
          preset,
          slot,
          rules: {} as Find.Rules
        }) as Effect.Effect<Find.Found | Find.Missing, unknown>
      )
    try {
      const first = await find()
      assert.strictEqual(first._tag, "Missing")
      if (first._tag !== "Missing") return
      assert.strictEqual(first.reason, Reason.Reason.SourceError)
      assert.include(first.detail, "N48E011")
      assert.include(first.detail, "503")
      const second = await find()
      assert.strictEqual(second._tag, "Found")
      // N48E010 was probed once (HEAD, then one byte), N48E011 twice after its 503.
      assert.deepStrictEqual(
        seen.filter((s) => s.includes("N48E010")),
        ["HEAD /N48E010.tif", "GET /N48E010.tif bytes=0-0"]
      )
      assert.strictEqual(seen.filter((s) => s.startsWith("GET /N48E011")).length, 2)
    } finally {
      await new Promise((r) => server.close(r))
    }
  })
})
