import type { Chip } from "@eoforge/core"
import { DType } from "@eoforge/core"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { fromArrayBuffer, type GeoTIFFImage } from "geotiff"
import { createHash } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as GeoTiffWriter from "../src/GeoTiffWriter.ts"

const dtypes: ReadonlyArray<DType.DType> = [
  "uint8",
  "int8",
  "uint16",
  "int16",
  "uint32",
  "int32",
  "float32",
  "float64"
]

const makeChip = (
  dtype: DType.DType,
  bands: number,
  width: number,
  height: number,
  fill: (i: number) => number,
  code = 32633
): Chip.Chip => {
  const data = DType.alloc(dtype, bands * width * height)
  for (let i = 0; i < data.length; i++) data[i] = fill(i)
  return {
    grid: { crs: { _tag: "Epsg", code }, x0: 399960, y0: 5300040, resolution: 10, width, height },
    dtype,
    bands,
    data
  }
}

const open = async (bytes: Uint8Array, index = 0): Promise<GeoTIFFImage> => {
  const copy = bytes.slice().buffer
  const tiff = await fromArrayBuffer(copy)
  return tiff.getImage(index)
}

const readBandMajor = async (image: GeoTIFFImage): Promise<Array<number>> => {
  const rasters = (await image.readRasters({ interleave: false })) as unknown as ArrayLike<
    ArrayLike<number>
  >
  const out: Array<number> = []
  for (let b = 0; b < image.getSamplesPerPixel(); b++) out.push(...Array.from(rasters[b]))
  return out
}

const valueOf = (dtype: DType.DType, seed: number, i: number): number => {
  const [lo, hi] = DType.isFloat(dtype) ? [-1e6, 1e6] : DType.range(dtype)
  const u = Math.abs(Math.sin(seed * 7919 + i * 12.9898) * 43758.5453) % 1
  const v = lo + u * (hi - lo)
  return DType.isFloat(dtype) ? v : Math.floor(v)
}

describe("GeoTiffWriter", () => {
  it("exports the writer API and nothing else", () => {
    assert.deepStrictEqual(Object.keys(GeoTiffWriter).sort(), [
      "GeoTiffWriteError",
      "encode",
      "encodeSync",
      "formatNodata",
      "gdalMetadataXml",
      "isGeographicEpsg",
      "write"
    ])
  })

  it("round-trips every dtype, band count, tile size and predictor through geotiff.js", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...dtypes),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom(16, 32, 48),
        fc.boolean(),
        fc.integer(),
        async (dtype, bands, width, height, tileSize, predictor, seed) => {
          const chip = makeChip(dtype, bands, width, height, (i) => valueOf(dtype, seed, i))
          const image = await open(GeoTiffWriter.encodeSync(chip, { tileSize, predictor }))
          assert.strictEqual(image.getWidth(), width)
          assert.strictEqual(image.getHeight(), height)
          assert.strictEqual(image.getSamplesPerPixel(), bands)
          assert.strictEqual(image.getTileWidth(), tileSize)
          assert.deepStrictEqual(await readBandMajor(image), Array.from(chip.data))
        }
      ),
      { numRuns: 60, seed: 42 }
    )
  })

  it("writes the grid as ModelTiepoint and ModelPixelScale, pixel-is-area", async () => {
    const chip = makeChip("uint16", 1, 20, 10, (i) => i)
    const image = await open(GeoTiffWriter.encodeSync(chip))
    assert.deepStrictEqual(image.getOrigin().slice(0, 2), [399960, 5300040])
    assert.deepStrictEqual(image.getResolution().slice(0, 2), [10, -10])
    assert.isTrue(image.pixelIsArea())
    assert.deepStrictEqual(image.getBoundingBox(), [399960, 5300040 - 100, 399960 + 200, 5300040])
  })

  it("tags a projected EPSG code as ProjectedCSType and a geographic one as GeographicType", async () => {
    const utm = await open(GeoTiffWriter.encodeSync(makeChip("uint8", 1, 4, 4, () => 1, 32725)))
    const utmKeys = utm.getGeoKeys()
    assert.strictEqual(utmKeys?.GTModelTypeGeoKey, 1)
    assert.strictEqual(utmKeys?.GTRasterTypeGeoKey, 1)
    assert.strictEqual(utmKeys?.ProjectedCSTypeGeoKey, 32725)
    assert.strictEqual(utmKeys?.ProjLinearUnitsGeoKey, 9001)
    const geo = await open(GeoTiffWriter.encodeSync(makeChip("uint8", 1, 4, 4, () => 1, 4326)))
    const geoKeys = geo.getGeoKeys()
    assert.strictEqual(geoKeys?.GTModelTypeGeoKey, 2)
    assert.strictEqual(geoKeys?.GeographicTypeGeoKey, 4326)
    assert.isUndefined(geoKeys?.ProjectedCSTypeGeoKey)
  })

  it("writes band descriptions, scale, offset, metadata and nodata where GDAL reads them", async () => {
    const chip = makeChip("int16", 2, 8, 8, (i) => i - 20)
    const image = await open(
      GeoTiffWriter.encodeSync(chip, {
        bands: [
          { name: "VV", unit: "dB", scale: 0.01, offset: -5, nodata: -32768 },
          { name: "VH & co", nodata: -32768 }
        ],
        metadata: { ACQUISITION: "2021-06-21" }
      })
    )
    assert.strictEqual(image.getGDALNoData(), -32768)
    const first = await image.getGDALMetadata(0)
    assert.strictEqual(first?.DESCRIPTION, "VV")
    assert.strictEqual(first?.UNITTYPE, "dB")
    assert.strictEqual(first?.SCALE, "0.01")
    assert.strictEqual(first?.OFFSET, "-5")
    assert.strictEqual((await image.getGDALMetadata(1))?.DESCRIPTION, "VH &amp; co")
    assert.strictEqual((await image.getGDALMetadata())?.ACQUISITION, "2021-06-21")
  })

  it("writes masked pixels as nodata", async () => {
    const chip = {
      ...makeChip("float32", 2, 5, 4, (i) => i + 0.5),
      mask: new Uint8Array(20).fill(1)
    }
    chip.mask[3] = 0
    const values = await readBandMajor(
      await open(GeoTiffWriter.encodeSync(chip, { nodata: -9999 }))
    )
    assert.strictEqual(values[3], -9999)
    assert.strictEqual(values[23], -9999)
    assert.strictEqual(values[4], 4.5)
  })

  it("adds overviews halving the size until one tile holds them, averaging valid pixels only", async () => {
    const chip = makeChip("uint16", 1, 70, 33, (i) => (i % 70) * 10 + Math.floor(i / 70))
    const bytes = GeoTiffWriter.encodeSync(chip, { tileSize: 16, overviews: "average", nodata: 0 })
    const tiff = await fromArrayBuffer(bytes.slice().buffer)
    assert.strictEqual(await tiff.getImageCount(), 4)
    const sizes = []
    for (let i = 0; i < 4; i++) {
      const image = await tiff.getImage(i)
      sizes.push([image.getWidth(), image.getHeight()])
    }
    assert.deepStrictEqual(sizes, [
      [70, 33],
      [35, 17],
      [18, 9],
      [9, 5]
    ])
    const level1 = await readBandMajor(await tiff.getImage(1))
    const at = (x: number, y: number) => chip.data[y * 70 + x]
    // (0, 0) is 0 = nodata at the top-left source pixel: it must not pull the average down.
    assert.strictEqual(level1[0], Math.round((at(1, 0) + at(0, 1) + at(1, 1)) / 3))
    const mean = (at(10, 4) + at(11, 4) + at(10, 5) + at(11, 5)) / 4
    assert.strictEqual(level1[2 * 35 + 5], Math.round(mean))
    // The last row of level 1 comes from the single last source row (33 is odd).
    assert.strictEqual(level1[16 * 35 + 1], Math.round((at(2, 32) + at(3, 32)) / 2))
  })

  it("takes the most frequent class in mode overviews, the smaller on ties", async () => {
    // 2 × 2 blocks repeating across: [3 3; 5 5] → tie → 3, [7 7; 2 2] → tie → 2, [9 4; 9 9] → 9.
    const blocks = [
      [3, 3, 5, 5],
      [7, 7, 2, 2],
      [9, 4, 9, 9]
    ]
    const chip = makeChip("uint8", 1, 42, 20, (i) => {
      const x = i % 42
      const y = Math.floor(i / 42)
      return blocks[Math.floor(x / 2) % 3][(y % 2) * 2 + (x % 2)]
    })
    const bytes = GeoTiffWriter.encodeSync(chip, { tileSize: 16, overviews: "mode" })
    const level1 = await readBandMajor(await open(bytes, 1))
    assert.deepStrictEqual(level1.slice(0, 6), [3, 2, 9, 3, 2, 9])
  })

  it("lays out every IFD before the tile data, tiles of smaller overviews first", async () => {
    const chip = makeChip("uint8", 2, 300, 300, (i) => i % 251)
    const bytes = GeoTiffWriter.encodeSync(chip, { overviews: "nearest" })
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    const ifds: Array<number> = []
    for (let at = view.getUint32(4, true); at !== 0;) {
      ifds.push(at)
      at = view.getUint32(at + 2 + view.getUint16(at, true) * 12, true)
    }
    assert.strictEqual(ifds.length, 2)
    const tiff = await fromArrayBuffer(bytes.slice().buffer)
    const offsets = async (i: number): Promise<Array<number>> =>
      Array.from(
        (await (
          await tiff.getImage(i)
        )
          .getFileDirectory()
          .loadValue("TileOffsets")) as ArrayLike<number>
      )
    const full = await offsets(0)
    const overview = await offsets(1)
    assert.isTrue(Math.max(...ifds) < Math.min(...overview))
    assert.isTrue(Math.max(...overview) < Math.min(...full))
    assert.strictEqual(full.length, 2 * 2 * 2)
  })

  it("gives the same bytes for the same chip and options", () => {
    const chip = makeChip("float32", 3, 100, 90, (i) => Math.sin(i))
    const a = GeoTiffWriter.encodeSync(chip, { overviews: "average", tileSize: 32 })
    const b = GeoTiffWriter.encodeSync(structuredClone(chip), {
      overviews: "average",
      tileSize: 32
    })
    assert.deepStrictEqual(sha256(a), sha256(b))
    const c = GeoTiffWriter.encodeSync({
      ...chip,
      data: chip.data.map((v, i) => (i === 5 ? v + 1 : v))
    })
    assert.notStrictEqual(sha256(c), sha256(a))
  })

  describe("rejects what a GeoTIFF cannot hold, naming the fix", () => {
    const chip = makeChip("uint8", 2, 4, 4, () => 1)
    const rejects = (c: Chip.Chip, options: GeoTiffWriter.Options, fragment: string) => {
      try {
        GeoTiffWriter.encodeSync(c, options)
      } catch (e) {
        assert.instanceOf(e, GeoTiffWriter.GeoTiffWriteError)
        assert.include((e as Error).message, fragment)
        return
      }
      assert.fail("expected a GeoTiffWriteError")
    }
    it("a PROJ-string CRS", () =>
      rejects(
        { ...chip, grid: { ...chip.grid, crs: { _tag: "Proj", definition: "+proj=utm" } } },
        {},
        "+proj=utm"
      ))
    it("data of the wrong length", () =>
      rejects({ ...chip, data: new Uint8Array(31) }, {}, "holds 31 values"))
    it("a dtype that does not match the data", () =>
      rejects({ ...chip, dtype: "int16" }, {}, "dtype int16"))
    it("a nodata the dtype cannot hold", () => rejects(chip, { nodata: -1 }, "nodata -1"))
    it("masked pixels without a nodata", () =>
      rejects({ ...chip, mask: new Uint8Array(16) }, {}, "pass options.nodata"))
    it("bands with different nodata", () =>
      rejects(
        chip,
        {
          bands: [
            { name: "a", nodata: 0 },
            { name: "b", nodata: 255 }
          ]
        },
        "0, 255"
      ))
    it("a band list of the wrong length", () => rejects(chip, { bands: [{ name: "a" }] }, "1 band"))
    it("a tile size TIFF forbids", () => rejects(chip, { tileSize: 100 }, "multiple of 16"))
  })

  it.effect("writes the file atomically, leaving no partial file", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "eoforge-writer-"))
      const chip = makeChip("int32", 1, 30, 30, (i) => i * 1000)
      const path = join(dir, "chip.tif")
      yield* GeoTiffWriter.write(path, chip)
      assert.deepStrictEqual(readdirSync(dir), ["chip.tif"])
      assert.deepStrictEqual(new Uint8Array(readFileSync(path)), GeoTiffWriter.encodeSync(chip))
      const error = yield* Effect.flip(GeoTiffWriter.write(join(dir, "missing", "chip.tif"), chip))
      assert.strictEqual(error._tag, "GeoTiffWriteError")
      assert.include(error.message, join(dir, "missing", "chip.tif"))
      assert.isFalse(existsSync(join(dir, "missing")))
      rmSync(dir, { recursive: true })
    })
  )

  describe("matches what gdalinfo reported for the committed writer goldens", () => {
    const dir = new URL("../../../fixtures/demo/writer-golden/", import.meta.url).pathname
    const names = readdirSync(dir).filter((f) => f.endsWith(".json"))
    it("covers every dtype", () => {
      assert.deepStrictEqual(names.map((n) => n.replace(".json", "")).sort(), [...dtypes].sort())
    })
    for (const name of names) {
      it(`${name.replace(".json", "")}: same bytes again, and gdalinfo's grid, CRS, bands and stats`, async () => {
        const golden = JSON.parse(readFileSync(join(dir, name), "utf8"))
        const bytes = new Uint8Array(readFileSync(join(dir, golden.file)))
        assert.strictEqual(sha256(bytes), golden.sha256)
        const image = await open(bytes)
        const [x0, y0] = image.getOrigin()
        const [resolution] = image.getResolution()
        const width = image.getWidth()
        const height = image.getHeight()
        const bands = image.getSamplesPerPixel()
        const values = await readBandMajor(image)
        const chip = makeChip(golden.dtype, bands, width, height, (i) => values[i], golden.epsg)
        const regrid = { ...chip, grid: { ...chip.grid, x0, y0, resolution } }
        // Re-encoding the decoded pixels reproduces the file GDAL inspected, byte for byte.
        assert.strictEqual(sha256(GeoTiffWriter.encodeSync(regrid, golden.options)), golden.sha256)
        const info = golden.gdalinfo
        assert.deepStrictEqual(info.size, [width, height])
        assert.deepStrictEqual(info.geoTransform, [x0, resolution, 0, y0, 0, -resolution])
        assert.strictEqual(info.stac["proj:epsg"], golden.epsg)
        assert.strictEqual(info.metadata.IMAGE_STRUCTURE.COMPRESSION, "DEFLATE")
        const nodata = golden.options.nodata
        const n = width * height
        info.bands.forEach((b: any, i: number) => {
          const spec = golden.options.bands[i]
          assert.strictEqual(b.description, spec.name)
          assert.deepStrictEqual(b.block, [golden.options.tileSize, golden.options.tileSize])
          assert.strictEqual(b.noDataValue, nodata)
          if (spec.scale !== undefined) assert.strictEqual(b.scale, spec.scale)
          if (spec.unit !== undefined) assert.strictEqual(b.unit, spec.unit)
          const valid = values.slice(i * n, (i + 1) * n).filter((v) => v !== nodata)
          const stats = b.metadata[""]
          // GDAL prints statistics with 14 significant digits.
          const near = (printed: string, exact: number) =>
            assert.closeTo(Number(printed), exact, Math.max(1, Math.abs(exact)) * 1e-12)
          near(stats.STATISTICS_MINIMUM, Math.min(...valid))
          near(stats.STATISTICS_MAXIMUM, Math.max(...valid))
          near(stats.STATISTICS_MEAN, valid.reduce((s, v) => s + v, 0) / valid.length)
          const expected = []
          for (let w = width, h = height; golden.options.overviews && (w > 32 || h > 32);) {
            w = Math.ceil(w / 2)
            h = Math.ceil(h / 2)
            expected.push({ size: [w, h] })
          }
          if (golden.options.overviews) assert.deepStrictEqual(b.overviews, expected)
          else assert.isUndefined(b.overviews)
        })
      })
    }
  })
})

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")
