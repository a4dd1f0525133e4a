// Finding tiles of the projected archives (GHSL Mollweide zips, MODIS sinusoidal HDF4 with production-time
// names), folder listings behind NASA's Earthdata login, and tiles in a private S3 bucket probed with signatures.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Auth } from "@eoforge/access"
import { AccessPolicy, Reason, type Patch } from "@eoforge/core"
import { PatchGeometry } from "@eoforge/grid"
import type { Find, TimeSlots } from "@eoforge/stac"
import { Effect, Redacted } from "effect"
import * as LoginServers from "../../../tools/servers/login.ts"
import * as S3 from "../../../tools/servers/s3.ts"
import { Presets, TiledArchive } from "../src/index.ts"
import { namesOfIndex, matchListing } from "../src/internal/listing.ts"

const slotOf = (id: string, iso: string): TimeSlots.Slot => ({
  id,
  start: Date.parse(iso) - 86_400_000,
  end: Date.parse(iso) + 86_400_000,
  reference: Date.parse(iso)
})

const run = (
  source: ReturnType<typeof TiledArchive.prepare>,
  patch: Patch.Patch,
  preset: Parameters<typeof source.find>[0]["preset"],
  slot: TimeSlots.Slot
) =>
  Effect.runPromise(
    source.find({ patch, preset, slot, rules: {} as Find.Rules }) as Effect.Effect<
      Find.Found | Find.Missing,
      unknown
    >
  )

const patchAt = (lon: number, lat: number) =>
  PatchGeometry.make({ lon, lat, size: 4480, resolution: 10 })

const ghsName = (epoch: number, tile: string) =>
  `GHS_BUILT_S_E${epoch}_GLOBE_R2023A_54009_100_V1_0_${tile}`

describe("GHS-BUILT-S zipped Mollweide tiles", () => {
  const root = mkdtempSync(join(tmpdir(), "eoforge-ghs-"))
  for (const tile of ["R4_C18", "R4_C19"])
    writeFileSync(join(root, `${ghsName(2020, tile)}.zip`), "z")
  writeFileSync(join(root, `${ghsName(1975, "R4_C19")}.zip`), "z")
  const source = TiledArchive.prepare(
    {
      type: "tiled-archive",
      url: `${root}/GHS_BUILT_S_E{epoch}_GLOBE_R2023A_54009_100_V1_0_{tile}.zip#member=GHS_BUILT_S_E{epoch}_GLOBE_R2023A_54009_100_V1_0_{tile}.tif`,
      tiling: "ghs-mollweide"
    },
    { key: "built", resolvePath: (p) => p, access: AccessPolicy.make({ localRoots: [root] }) }
  )

  it("{epoch} is the slot's year rounded to the nearest GHSL epoch, clamped to 1975–2030", () => {
    assert.deepStrictEqual(
      [1970, 1977, 1978, 2020, 2022, 2023, 2031, 2040].map(TiledArchive.epochOf),
      [1975, 1975, 1980, 2020, 2020, 2025, 2030, 2030]
    )
  })

  it("a patch across a tile column edge reads both zips' GeoTIFF members, as a mosaic", async () => {
    const f = await run(source, patchAt(-0.52, 46), Presets.ghsBuiltS, slotOf("y", "2021-07-01"))
    assert.strictEqual(f._tag, "Found")
    if (f._tag !== "Found") return
    const refs = f.assets.built_surface!
    assert.deepStrictEqual(
      refs.map((r) => r.item),
      ["R4_C18", "R4_C19"]
    )
    assert.strictEqual(
      Redacted.value(refs[1]!.url),
      `${root}/${ghsName(2020, "R4_C19")}.zip#member=${ghsName(2020, "R4_C19")}.tif`
    )
    assert.strictEqual(f.mosaic, true)
    assert.strictEqual(f.coverage, 1)
  })

  it("an epoch whose tile is absent leaves part of the patch uncovered; no tile at all is NotCovered", async () => {
    const partial = await run(
      source,
      patchAt(-0.52, 46),
      Presets.ghsBuiltS,
      slotOf("y", "1976-07-01")
    )
    assert.strictEqual(partial._tag, "Found")
    if (partial._tag !== "Found") return
    assert.deepStrictEqual(
      partial.items.map((i) => i.id),
      ["R4_C19"]
    )
    assert.isAbove(partial.coverage, 0.25)
    assert.isBelow(partial.coverage, 0.5)
    const none = await run(
      source,
      patchAt(-70.1, -33.4),
      Presets.ghsBuiltS,
      slotOf("y", "2020-07-01")
    )
    assert.strictEqual(none._tag, "Missing")
    if (none._tag !== "Missing") return
    assert.strictEqual(none.reason, Reason.Reason.NotCovered)
    assert.include(none.detail, "R14_C12")
  })
})

const modisName = (tile: string, produced: string) => `MOD44B.A2020065.${tile}.061.${produced}.hdf`
const modisTemplate = (base: string) =>
  `${base}/MOD44B.061/{year}.03.05/MOD44B.A{year}065.{tile}.061.*.hdf#var={asset}`

describe("MOD44B files found through their folder's listing", () => {
  it("an index page's links are its file names; the greatest match of the glob wins", () => {
    const html = `<html><body><a href="../">Parent</a> <a href="MOD44B.A2020065.h18v04.061.2021062054542.hdf">x</a>
      <a href="./MOD44B.A2020065.h18v04.061.2023001000000.hdf">x</a> <a href="MOD44B.A2020065.h18v04.061.2021062054542.hdf.xml">x</a>
      <a href="/MOLT/MOD44B.061/2020.03.05/MOD44B.A2020065.h19v04.061.2021062054600.hdf">x</a><a href="sub/">s</a></body></html>`
    const names = namesOfIndex(html)
    assert.includeMembers(
      [...names],
      [
        "MOD44B.A2020065.h18v04.061.2021062054542.hdf",
        "MOD44B.A2020065.h18v04.061.2023001000000.hdf",
        "MOD44B.A2020065.h19v04.061.2021062054600.hdf"
      ]
    )
    assert.notInclude([...names], "sub/")
    assert.strictEqual(
      matchListing(names, "MOD44B.A2020065.h18v04.061.*.hdf"),
      "MOD44B.A2020065.h18v04.061.2023001000000.hdf"
    )
    assert.strictEqual(matchListing(names, "MOD44B.A2020065.h17v04.061.*.hdf"), undefined)
  })

  it("a local folder: the newest production of the tile, one URL per percent layer", async () => {
    const root = mkdtempSync(join(tmpdir(), "eoforge-modis-"))
    const day = join(root, "MOD44B.061", "2020.03.05")
    mkdirSync(day, { recursive: true })
    writeFileSync(join(day, modisName("h18v04", "2021062054542")), "h")
    writeFileSync(join(day, modisName("h18v04", "2022100000000")), "h")
    const source = TiledArchive.prepare(
      { type: "tiled-archive", url: modisTemplate(root), tiling: "modis-sinusoidal" },
      { key: "vcf", resolvePath: (p) => p, access: AccessPolicy.make({ localRoots: [root] }) }
    )
    const f = await run(source, patchAt(2.35, 48.85), Presets.modisVcf, slotOf("y", "2020-07-01"))
    assert.strictEqual(f._tag, "Found")
    if (f._tag !== "Found") return
    assert.deepStrictEqual(Object.keys(f.assets), [
      "Percent_Tree_Cover",
      "Percent_NonTree_Vegetation",
      "Percent_NonVegetated"
    ])
    assert.strictEqual(
      Redacted.value(f.assets.Percent_Tree_Cover![0]!.url),
      join(day, modisName("h18v04", "2022100000000")) + "#var=Percent_Tree_Cover"
    )
    const other = await run(
      source,
      patchAt(-70.1, -33.4),
      Presets.modisVcf,
      slotOf("y", "2020-07-01")
    )
    assert.strictEqual(other._tag, "Missing")
    if (other._tag === "Missing") assert.include(other.detail, "h12v12")
    const noYear = await run(
      source,
      patchAt(2.35, 48.85),
      Presets.modisVcf,
      slotOf("y", "2019-07-01")
    )
    assert.strictEqual(noYear._tag === "Missing" ? noYear.reason : "", Reason.Reason.NotCovered)
  })

  describe("behind the Earthdata login", () => {
    const user = { name: "eo-user", password: "pa55-WORD" }
    const token = "EDL-token-archive"
    const index = `<html><a href="${modisName("h18v04", "2021062054542")}">a</a><a href="${modisName("h18v03", "2021062054542")}">b</a></html>`
    let servers: LoginServers.Servers
    beforeAll(async () => {
      servers = await LoginServers.start({
        files: new Map([
          ["/data/MOD44B.061/2020.03.05/", new TextEncoder().encode(index)],
          [`/data/MOD44B.061/2020.03.05/${modisName("h18v04", "2021062054542")}`, new Uint8Array(8)]
        ]),
        tokens: [token],
        user
      })
    })
    afterAll(() => servers.close())
    const policy = AccessPolicy.make({
      hosts: ["127.0.0.2", "127.0.0.3", "127.0.0.4"],
      allowPrivateNetworks: true
    })
    const prepare = (env: Record<string, string>) =>
      TiledArchive.prepare(
        {
          type: "tiled-archive",
          url: modisTemplate(`${servers.data}/data`),
          tiling: "modis-sinusoidal"
        },
        {
          key: "vcf",
          resolvePath: (p) => p,
          access: policy,
          auth: Auth.make(
            {
              logins: [
                {
                  kind: "earthdata",
                  hosts: ["127.0.0.2"],
                  urs: "127.0.0.3",
                  token: { env: "EARTHDATA_TOKEN" }
                }
              ]
            },
            { env, guard: { policy } }
          )
        }
      )

    it("the listing is read once with the login; every layer and patch of the tile resolves from it", async () => {
      const source = prepare({ EARTHDATA_TOKEN: token })
      const before = servers.log.length
      for (const lon of [2.35, 2.5]) {
        const f = await run(
          source,
          patchAt(lon, 48.85),
          Presets.modisVcf,
          slotOf("y", "2020-07-01")
        )
        assert.strictEqual(f._tag, "Found")
        if (f._tag !== "Found") return
        assert.strictEqual(
          Redacted.value(f.assets.Percent_NonVegetated![0]!.url),
          `${servers.data}/data/MOD44B.061/2020.03.05/${modisName("h18v04", "2021062054542")}#var=Percent_NonVegetated`
        )
      }
      const listings = servers.log
        .slice(before)
        .filter((l) => l.host === "objects" && l.path.startsWith("/data/MOD44B.061/2020.03.05/?"))
      assert.strictEqual(listings.length, 1)
      assert.strictEqual(listings[0]!.status, 200)
    })

    it("a wrong token is SourceError naming the tile, not NotCovered", async () => {
      const f = await run(
        prepare({ EARTHDATA_TOKEN: "wrong" }),
        patchAt(2.35, 48.85),
        Presets.modisVcf,
        slotOf("y", "2020-07-01")
      )
      assert.strictEqual(f._tag, "Missing")
      if (f._tag !== "Missing") return
      assert.strictEqual(f.reason, Reason.Reason.SourceError)
      assert.include(f.detail, "h18v04")
      assert.notInclude(f.detail, "wrong")
    })
  })
})

describe("tiles in a private S3 bucket", () => {
  let server: S3.S3Server
  beforeAll(async () => {
    server = await S3.start(
      {
        coherence: {
          objects: new Map([["tiles/N49E002/N49E002_summer_vv_COH12.tif", new Uint8Array(4)]])
        }
      },
      { AKIDARCHIVE: { secret: "archive-secret" } }
    )
  })
  afterAll(() => server.close())
  const policy = AccessPolicy.make({ hosts: ["127.0.0.1"], allowPrivateNetworks: true })
  const preset = {
    ...Presets.gssic,
    spec: {
      ...Presets.gssic.spec,
      bands: Presets.gssic.spec.bands.filter((b) => b.name === "vv_COH12")
    }
  }
  const prepare = (env: Record<string, string> | undefined) =>
    TiledArchive.prepare(
      {
        type: "tiled-archive",
        url: "s3://coherence/tiles/{tile}/{tile}_{season}_{asset}.tif",
        tiling: "one-degree-nw",
        values: { season: { y: "summer" } }
      },
      {
        key: "coherence",
        resolvePath: (p) => p,
        access: policy,
        ...(env === undefined
          ? {}
          : {
              auth: Auth.make(
                { stores: [{ bucket: "coherence", endpoint: server.endpoint }] },
                { env }
              )
            })
      }
    )

  it("the probe is signed with the recipe's keys (the server checks the signature)", async () => {
    const before = server.log.length
    const f = await run(
      prepare({ AWS_ACCESS_KEY_ID: "AKIDARCHIVE", AWS_SECRET_ACCESS_KEY: "archive-secret" }),
      patchAt(2.35, 48.5),
      preset,
      slotOf("y", "2020-07-01")
    )
    assert.strictEqual(f._tag, "Found")
    const seen = server.log.slice(before)
    assert.isAbove(seen.length, 0)
    for (const l of seen) assert.match(String(l.headers.authorization), /^AWS4-HMAC-SHA256 /)
    assert.deepStrictEqual(
      seen.map((l) => [l.method, l.status]),
      [["HEAD", 200]]
    )
  })

  it("a wrong secret is SourceError (the bucket refuses), never NotCovered", async () => {
    const f = await run(
      prepare({ AWS_ACCESS_KEY_ID: "AKIDARCHIVE", AWS_SECRET_ACCESS_KEY: "not-it" }),
      patchAt(2.35, 48.5),
      preset,
      slotOf("y", "2020-07-01")
    )
    assert.strictEqual(f._tag, "Missing")
    if (f._tag !== "Missing") return
    assert.strictEqual(f.reason, Reason.Reason.SourceError)
    assert.include(f.detail, "N49E002")
    assert.notInclude(f.detail, "not-it")
  })
})
