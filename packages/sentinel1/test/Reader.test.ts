import { assert, describe, it } from "@effect/vitest"
import { createReadStream, readFileSync, statSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { Crs, PixelGrid, Reason } from "@eoforge/core"
import { RasterSource } from "@eoforge/raster"
import type { SourceKind } from "@eoforge/sources"
import { Presets, type Find } from "@eoforge/stac"
import { Effect, Redacted } from "effect"
import { Reader } from "../src/index.ts"

// The generated relief product (tools/s1-sim) served over local HTTP with byte ranges, read through the
// `sentinel1-grd` item reader as a build would: the item's measurement assets, the XML beside them, a DEM.
const root = fileURLToPath(new URL("./fixture/", import.meta.url))
const fixture = (p: string) => readFileSync(new URL(`./fixture/${p}`, import.meta.url))

const serve = (): Promise<{ server: Server; base: string; requests: Array<string> }> =>
  new Promise((resolve) => {
    const requests: Array<string> = []
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)
      requests.push(`${path} ${req.headers.range ?? ""}`)
      let size = 0
      try {
        size = statSync(root + path).size
      } catch {
        res.writeHead(404).end()
        return
      }
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "")
      if (m === null) {
        res.writeHead(200, { "content-length": size, "accept-ranges": "bytes" })
        createReadStream(root + path).pipe(res)
        return
      }
      const start = Number(m[1])
      const end = Math.min(m[2] === "" ? size - 1 : Number(m[2]), size - 1)
      res.writeHead(206, {
        "content-range": `bytes ${start}-${end}/${size}`,
        "content-length": end - start + 1
      })
      createReadStream(root + path, { start, end }).pipe(res)
    })
    server.listen(0, "127.0.0.1", () =>
      resolve({
        server,
        base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests
      })
    )
  })

const grid = (() => {
  const g = JSON.parse(fixture("relief/grid.json").toString()) as Record<string, number>
  return PixelGrid.make(Crs.epsg(g.epsg), g.x0, g.y0, g.resolution, g.width, g.height)
})()
const truth = (pol: string) =>
  new Float32Array(new Uint8Array(fixture(`relief/truth-${pol}.f32`)).buffer)

const open: SourceKind.Open = {
  use: (uris, f) =>
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      const infos = yield* Effect.forEach(uris, (u) => raster.open(u))
      return yield* f(infos)
    }).pipe(Effect.scoped) as never
}

const foundOf = (base: string, pols: ReadonlyArray<string>): Find.Found => {
  const item = JSON.parse(fixture("relief/item.json").toString())
  const assets = Object.fromEntries(
    pols.map((p) => {
      const href = `${base}/relief/${item.assets[p.toLowerCase()].href.replace(/^\.\//, "")}`
      return [p, [{ item: item.id, key: p.toLowerCase(), href, url: Redacted.make(href) }]]
    })
  )
  return {
    _tag: "Found",
    slot: "s",
    window: { start: 0, end: 1 },
    fallback: false,
    items: [item],
    assets,
    datetime: 0,
    mosaic: false,
    coverage: 1
  }
}

const presetWith = (readerOptions: Record<string, string>) =>
  ({ ...Presets.sentinel1Grd(), readerOptions }) as never

const request = (found: Find.Found, preset: never): SourceKind.ReadRequest => ({
  found,
  grid,
  preset,
  bands: ["VV", "VH"].map((name, index) => ({ name, index, resampling: "bilinear" as const })),
  open
})

describe("Reader sentinel1-grd", () => {
  it.effect(
    "reads VV+VH over local HTTP and recovers the simulated σ⁰ map within 0.1 dB with the DEM",
    () =>
      Effect.gen(function* () {
        const { server, base, requests } = yield* Effect.promise(serve)
        try {
          const result = yield* Reader.grd.read(
            request(foundOf(base, ["VV", "VH"]), presetWith({ dem: `${base}/relief/dem.tif` }))
          )
          assert.strictEqual(result._tag, "Chip")
          if (result._tag !== "Chip") return
          const n = grid.width * grid.height
          const worst = ["vv", "vh"].map((pol, b) => {
            const want = truth(pol)
            let w = 0
            let count = 0
            for (let i = 0; i < n; i++) {
              if (result.chip.mask?.[i] === 0) continue
              w = Math.max(w, Math.abs(result.chip.data[b * n + i] - want[i]))
              count++
            }
            assert.strictEqual(count, n)
            return w
          })
          console.log(
            `reader over HTTP with DEM: worst VV ${worst[0].toFixed(3)} dB, VH ${worst[1].toFixed(3)} dB; facts ${JSON.stringify(result.facts)}`
          )
          assert.isBelow(worst[0], 0.1)
          assert.isBelow(worst[1], 0.1)
          assert.strictEqual(result.facts?.["ipf"], 3.31)
          assert.include(String(result.facts?.["heights"]), "dem.tif + egm96")
          // The RFI report the item names as its product annotation is never fetched; the measurements by range.
          assert.isFalse(requests.some((r) => r.includes("/rfi/")))
          assert.isTrue(requests.some((r) => r.startsWith("/relief/measurement/iw-vv.tiff bytes=")))

          const flat = yield* Reader.grd.read(request(foundOf(base, ["VV", "VH"]), presetWith({})))
          assert.strictEqual(flat._tag, "Chip")
          if (flat._tag !== "Chip") return
          let off = 0
          const want = truth("vv")
          for (let i = 0; i < n; i++)
            if (flat.chip.mask?.[i] !== 0)
              off = Math.max(off, Math.abs(flat.chip.data[i] - want[i]))
          console.log(
            `reader without DEM (ellipsoid-only): worst VV ${off.toFixed(2)} dB; heights "${flat.facts?.["heights"]}"`
          )
          assert.isAbove(off, 1)
          assert.include(String(flat.facts?.["heights"]), "ellipsoid-only")
        } finally {
          server.close()
        }
      }).pipe(Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })))
  )

  it.effect(
    "a missing polarisation, a missing annotation and an unknown IPF are reasons naming the asset",
    () =>
      Effect.gen(function* () {
        const { server, base } = yield* Effect.promise(serve)
        try {
          const hhOnly = foundOf(base, ["VV"])
          const r1 = yield* Reader.grd.read(request(hhOnly, presetWith({})))
          assert.strictEqual(
            r1._tag === "Missing" ? r1.reason : -1,
            Reason.Reason.PolarisationMissing
          )
          assert.include(r1._tag === "Missing" ? r1.detail : "", "VH")

          const wrongFolder = foundOf(`${base}/nowhere`, ["VV", "VH"])
          const r2 = yield* Reader.grd.read(request(wrongFolder, presetWith({})))
          assert.strictEqual(r2._tag === "Missing" ? r2.reason : -1, Reason.Reason.SourceError)
          assert.include(r2._tag === "Missing" ? r2.detail : "", "/nowhere/relief/")

          const flatItem = foundOf(base, ["VV", "VH"])
          const onFlat = {
            ...flatItem,
            assets: Object.fromEntries(
              Object.entries(flatItem.assets).map(([k, v]) => [
                k,
                v.map((a) => ({
                  ...a,
                  href: a.href.replace("/relief/", "/flat/"),
                  url: Redacted.make(Redacted.value(a.url).replace("/relief/", "/flat/"))
                }))
              ])
            )
          }
          const r3 = yield* Reader.grd.read(request(onFlat, presetWith({})))
          // flat/ has no VH files: its VH annotation is missing (named), after VV read fine.
          assert.strictEqual(r3._tag === "Missing" ? r3.reason : -1, Reason.Reason.SourceError)
          assert.include(r3._tag === "Missing" ? r3.detail : "", "iw-vh.xml")
        } finally {
          server.close()
        }
      }).pipe(Effect.provide(RasterSource.layerGeoTiffWith({ workers: 0 })))
  )
})
