// SRTM .hgt tiles and zip members, local and over HTTP ranges, against gdalwarp -et 0 of the same pixels
// (goldens: tools/fixtures/make-archive-golden.py). The bare tile and the stored and ZIP64 archives are written
// here; the DEFLATEd archives were written by Python's zipfile and checked through GDAL's own /vsizip/.
import { assert, describe, it } from "@effect/vitest"
import { Crs, PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { crc32 } from "node:zlib"
import { RasterSource } from "../src/index.ts"
import { compare, readGolden, type Case } from "./golden.ts"
import { start } from "./server.ts"

const dir = new URL("./golden/archive/", import.meta.url).pathname
const cases: ReadonlyArray<Case> = JSON.parse(readFileSync(`${dir}cases.json`, "utf8"))
const tmp = mkdtempSync(join(tmpdir(), "eoforge-archive-"))
const layer = RasterSource.layerGeoTiffWith({ workers: 0 })

/** The tile's pixels as the generator writes them (hgt_value). */
const hgtBytes = (): Uint8Array => {
  const n = 1201
  const out = new Uint8Array(2 * n * n)
  const v = new DataView(out.buffer)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const hole = i >= 598 && i < 604 && j < 5
      const value = hole ? -32768 : ((i * 7 + j * 3) % 400) + Math.floor(i / 50) * 10 - 100
      v.setInt16(2 * (i * n + j), value, false)
    }
  return out
}

/** A zip of stored members, with ZIP64 records and extra fields when `zip64`. */
const storedZip = (
  members: ReadonlyArray<readonly [string, Uint8Array]>,
  zip64: boolean
): Uint8Array => {
  const parts: Array<Uint8Array> = []
  const central: Array<Uint8Array> = []
  let offset = 0
  const enc = new TextEncoder()
  for (const [name, data] of members) {
    const n = enc.encode(name)
    const crc = crc32(data) >>> 0
    const local = new DataView(new ArrayBuffer(30))
    local.setUint32(0, 0x04034b50, true)
    local.setUint16(4, zip64 ? 45 : 20, true)
    local.setUint32(14, crc, true)
    local.setUint32(18, data.length, true)
    local.setUint32(22, data.length, true)
    local.setUint16(26, n.length, true)
    parts.push(new Uint8Array(local.buffer), n, data)
    const extra = zip64 ? 28 : 0
    const c = new DataView(new ArrayBuffer(46 + n.length + extra))
    c.setUint32(0, 0x02014b50, true)
    c.setUint16(4, 45, true)
    c.setUint16(6, zip64 ? 45 : 20, true)
    c.setUint32(16, crc, true)
    c.setUint32(20, zip64 ? 0xffffffff : data.length, true)
    c.setUint32(24, zip64 ? 0xffffffff : data.length, true)
    c.setUint16(28, n.length, true)
    c.setUint16(30, extra, true)
    c.setUint32(42, zip64 ? 0xffffffff : offset, true)
    new Uint8Array(c.buffer).set(n, 46)
    if (zip64) {
      const e = 46 + n.length
      c.setUint16(e, 0x0001, true)
      c.setUint16(e + 2, 24, true)
      c.setBigUint64(e + 4, BigInt(data.length), true)
      c.setBigUint64(e + 12, BigInt(data.length), true)
      c.setBigUint64(e + 20, BigInt(offset), true)
    }
    central.push(new Uint8Array(c.buffer))
    offset += 30 + n.length + data.length
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0)
  const tail: Array<Uint8Array> = []
  if (zip64) {
    const e64 = new DataView(new ArrayBuffer(56 + 20))
    e64.setUint32(0, 0x06064b50, true)
    e64.setBigUint64(4, 44n, true)
    e64.setUint16(12, 45, true)
    e64.setUint16(14, 45, true)
    e64.setBigUint64(24, BigInt(members.length), true)
    e64.setBigUint64(32, BigInt(members.length), true)
    e64.setBigUint64(40, BigInt(cdSize), true)
    e64.setBigUint64(48, BigInt(offset), true)
    e64.setUint32(56, 0x07064b50, true)
    e64.setBigUint64(64, BigInt(offset + cdSize), true)
    e64.setUint32(72, 1, true)
    tail.push(new Uint8Array(e64.buffer))
  }
  const end = new DataView(new ArrayBuffer(22))
  end.setUint32(0, 0x06054b50, true)
  end.setUint16(8, zip64 ? 0xffff : members.length, true)
  end.setUint16(10, zip64 ? 0xffff : members.length, true)
  end.setUint32(12, zip64 ? 0xffffffff : cdSize, true)
  end.setUint32(16, zip64 ? 0xffffffff : offset, true)
  tail.push(new Uint8Array(end.buffer))
  return Buffer.concat([...parts, ...central, ...tail])
}

const tile = hgtBytes()
const paths = {
  bare: join(tmp, "N07W036.hgt"),
  stored: join(tmp, "N07W036.SRTMGL3.hgt.zip"),
  zip64: join(tmp, "N07W036.zip64.zip"),
  deflated: `${dir}N07W036.SRTMGL3.hgt.zip`,
  ghs: `${dir}ghs_like.zip`
}
writeFileSync(paths.bare, tile)
writeFileSync(
  paths.stored,
  storedZip(
    [
      ["readme.txt", new TextEncoder().encode("SRTMGL3 tile\n")],
      ["N07W036.hgt", tile]
    ],
    false
  )
)
writeFileSync(paths.zip64, storedZip([["N07W036.hgt", tile]], true))

const read = (uri: string, c: Case) =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    const info = yield* raster.open(uri)
    const grid = PixelGrid.make(Crs.epsg(c.epsg), c.x0, c.y0, c.resolution, c.width, c.height)
    const resampling = c.resampling === "near" ? "nearest" : c.resampling
    const chip = yield* raster.read(info, grid, { resampling })
    const transfer = yield* raster.transfer(info)
    return { chip, transfer, info }
  }).pipe(Effect.scoped)

describe("SRTM .hgt and zip members as GDAL reads them", () => {
  for (const c of cases) {
    it.effect(
      `${c.name} ${c.resampling}: every container, local and over HTTP, identical to GDAL`,
      () =>
        Effect.gen(function* () {
          const golden = yield* Effect.promise(() =>
            readGolden({ ...c, golden: `archive/${c.golden}` })
          )
          const hgtCase = c.source.endsWith(".hgt")
          const local = hgtCase
            ? [paths.bare, paths.stored, paths.zip64, paths.deflated]
            : [paths.ghs]
          const server = yield* Effect.promise(() =>
            start({ "/a.zip": hgtCase ? paths.stored : paths.ghs, "/N07W036.hgt": paths.bare })
          )
          try {
            const remote = [server.url("/a.zip")].concat(
              hgtCase ? [server.url("/N07W036.hgt")] : []
            )
            for (const uri of [...local, ...remote]) {
              // A zip opened over HTTP keeps the member's name: the tile's name is its georeferencing.
              const { chip, transfer, info } = yield* read(uri, c)
              const d = compare(chip, golden, false)
              assert.isAbove(d.validPixels, 100, uri)
              assert.strictEqual(d.maskMismatches, 0, uri)
              assert.strictEqual(d.valueMismatches, 0, uri)
              if (hgtCase) assert.strictEqual(info.nodata, -32768)
              if (uri === server.url("/a.zip") && hgtCase)
                // Stored: only ranges of the member are fetched, not the 2.9 MB tile.
                assert.isBelow(transfer.bytes, tile.length / 4, `${transfer.bytes} bytes fetched`)
            }
          } finally {
            yield* Effect.promise(() => server.close())
          }
        }).pipe(Effect.provide(layer))
    )
  }

  const openError = (path: string) =>
    Effect.gen(function* () {
      const raster = yield* RasterSource.RasterSource
      return yield* Effect.flip(raster.open(path))
    }).pipe(Effect.scoped, Effect.provide(layer))

  it.effect(
    "damaged or ambiguous archives and tiles are typed errors naming the file and the fix",
    () =>
      Effect.gen(function* () {
        const good = readFileSync(paths.stored)
        const cut = join(tmp, "cut.zip")
        writeFileSync(cut, good.subarray(0, good.length - 30))
        const e1 = yield* openError(cut)
        assert.strictEqual(e1.problem, "Malformed")
        assert.include(e1.message, "cut.zip")
        assert.include(e1.message, "central directory")

        const e2 = yield* openError(`${paths.stored}#member=N08W036.hgt`)
        assert.strictEqual(e2.problem, "NotFound")
        assert.include(e2.message, "N07W036.hgt")

        const two = join(tmp, "two.zip")
        writeFileSync(
          two,
          storedZip(
            [
              ["N07W036.hgt", tile],
              ["N07W035.hgt", tile]
            ],
            false
          )
        )
        const e3 = yield* openError(two)
        assert.strictEqual(e3.problem, "NotTiff")
        assert.include(e3.message, "#member=")
        // Named in the fragment, the member (and its name, the tile's georeferencing) is the one chosen.
        const chosen = yield* Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          return yield* raster.open(`${two}#member=N07W035.hgt`)
        }).pipe(Effect.scoped)
        assert.strictEqual(chosen.geoTransform[0], -35 - 0.5 / 1200)
      }).pipe(Effect.provide(layer))
  )

  it.effect("a tile of the wrong size, a CRC mismatch and a zip in a zip are refused", () =>
    Effect.gen(function* () {
      const short = join(tmp, "N07W036.short.hgt")
      writeFileSync(short, tile.subarray(0, tile.length - 2))
      const e1 = yield* openError(short)
      assert.strictEqual(e1.problem, "Malformed")
      assert.include(e1.message, "SRTM tile")

      const deflated = Buffer.from(readFileSync(paths.deflated))
      // The CRC-32 of the member in the central directory: flip one bit.
      const cd = deflated.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))
      deflated[cd + 16] ^= 1
      const bad = join(tmp, "N07W036.badcrc.hgt.zip")
      writeFileSync(bad, deflated)
      const e2 = yield* openError(bad)
      assert.strictEqual(e2.problem, "Malformed")
      assert.include(e2.message, "CRC-32")

      const nested = join(tmp, "outer.zip")
      writeFileSync(nested, storedZip([["inner.tif", readFileSync(paths.stored)]], false))
      const e3 = yield* openError(nested)
      assert.strictEqual(e3.problem, "NotTiff")
      assert.include(e3.message, "zip in a zip")
    })
  )
})
