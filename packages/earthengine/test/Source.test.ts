// Chips read through the local Earth Engine double: the pixels of the patch grid exactly, the images the
// operations pick, the validity mask, and requests split under the limits.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { PixelGrid } from "@eoforge/core"
import { Effect } from "effect"
import * as Double from "../../../tools/earthengine-double/server.ts"
import { Client, Credentials, Operations, Requests, Source } from "../src/index.ts"
import * as Fixture from "../../../tools/earthengine-double/synthetic.ts"

const project = "eoforge-test"
let double: Double.Double

beforeAll(async () => {
  double = await Double.start({
    project,
    staticTokens: { "token-ok": Date.now() + 3_600_000 },
    collections: { "TEST/S2": Fixture.collection },
    maxBytes: 20_000
  })
})
afterAll(() => double.close())

const client = (limits?: Partial<Client.Options>) =>
  Effect.map(Credentials.fromEnv("EE_TOKEN", { EE_TOKEN: "token-ok" }), (tokens) =>
    Client.make(tokens, { project, baseUrl: double.url, backoffMs: 5, ...limits })
  )

const s2: Source.ProductSource = {
  asset: { collection: "TEST/S2" },
  operations: [
    { op: "filterDate" },
    { op: "filterBounds" },
    { op: "filter", property: "CLOUDY_PIXEL_PERCENTAGE", cmp: "lt", value: 10 },
    { op: "sort", property: "CLOUDY_PIXEL_PERCENTAGE", ascending: true },
    { op: "first" }
  ],
  bands: ["B4", "B8"],
  dtype: "uint16"
}

const small: Requests.Limits = { maxBytes: 20_000, maxSide: 32_768, maxBands: 1024 }

describe("Source.read through the Earth Engine double", () => {
  it.live("the least cloudy scene under 10 % in the window, on the patch grid exactly", () =>
    Effect.gen(function* () {
      const before = double.requests.length
      const grid = Fixture.grid()
      const c = yield* client()
      const chip = yield* Source.read(c, s2, grid, Fixture.june2021, { limits: small })
      assert.strictEqual(chip._tag, "Pixels")
      if (chip._tag !== "Pixels") return
      assert.deepStrictEqual(chip.provenance.images, ["20210615T100000_T33TUN"])
      assert.deepStrictEqual(chip.provenance.times, [Date.parse("2021-06-15T10:00:00Z")])
      const n = grid.width * grid.height
      for (let b = 0; b < 2; b++) {
        for (let i = 0; i < n; i++) {
          const [x, y] = PixelGrid.pixelCentre(grid, i % grid.width, Math.floor(i / grid.width))
          if (chip.data[b * n + i] !== Fixture.value(1, b, x, y))
            assert.fail(`band ${b} pixel ${i}: ${chip.data[b * n + i]}`)
        }
      }
      assert.strictEqual(
        chip.mask.reduce((s, v) => s + v, 0),
        n
      )
      // 64 × 64 × (2 × 2 + 1) bytes = 20,480 > 20,000: split by bands, each request under the limit.
      const seen = double.requests.slice(before).filter((r) => r.method === "computePixels")
      assert.strictEqual(seen.length, 2)
      assert.strictEqual(chip.provenance.requests, 3)
      const rest = Requests.restGrid(grid)
      for (const r of seen) {
        assert.strictEqual(r.status, 200)
        assert.deepStrictEqual(r.grid, {
          crsCode: "EPSG:32633",
          x0: rest.affineTransform.translateX,
          y0: rest.affineTransform.translateY,
          resolution: 10,
          width: 64,
          height: 64
        })
      }
      assert.deepStrictEqual(
        seen.map((r) => r.bandIds),
        [
          ["B4", Operations.validBand],
          ["B8", Operations.validBand]
        ]
      )
      const parsed = JSON.parse(chip.provenance.expression)
      assert.isString(parsed.result)
      assert.notInclude(chip.provenance.expression, "token-ok")
    })
  )

  it.live(
    "rows are split when one band of the whole grid is over the limit, and reassemble exactly",
    () =>
      Effect.gen(function* () {
        const grid = Fixture.grid(500_000, 5_000_000, 100)
        const before = double.requests.length
        const c = yield* client()
        const chip = yield* Source.read(c, s2, grid, Fixture.june2021, { limits: small })
        if (chip._tag !== "Pixels") return assert.fail("expected pixels")
        const seen = double.requests.slice(before).filter((r) => r.method === "computePixels")
        // 100 × 100 × (2 + 1) = 30,000 bytes per band: rows of ⌊20,000 / 300⌋ = 66, 2 strips × 2 bands.
        assert.strictEqual(seen.length, 4)
        const covered = new Uint8Array(100 * 100)
        for (const r of seen) {
          assert.strictEqual(r.grid!.resolution, 10)
          assert.strictEqual(r.grid!.x0, grid.x0)
          const row0 = (grid.y0 - r.grid!.y0) / 10
          assert.isTrue(Number.isInteger(row0))
          for (let k = 0; k < r.grid!.width * r.grid!.height; k++)
            covered[row0 * 100 + k] += r.bandIds![0] === "B4" ? 1 : 0
        }
        assert.isTrue(covered.every((v) => v === 1))
        const n = 100 * 100
        const i = 99 * 100 + 42
        const [x, y] = PixelGrid.pixelCentre(grid, 42, 99)
        assert.strictEqual(chip.data[n + i], Fixture.value(1, 1, x, y))
      })
  )

  it.live("masked pixels (a scene edge, cloud classes) are invalid in the mask", () =>
    Effect.gen(function* () {
      const grid = Fixture.grid()
      const c = yield* client()
      const chip = yield* Source.read(
        c,
        {
          ...s2,
          operations: [
            { op: "filterDate" },
            { op: "sort", property: "system:time_start" },
            { op: "cloudMask", band: "SCL", classes: [8, 9, 10] },
            { op: "first" }
          ]
        },
        grid,
        Fixture.june2021,
        { limits: small }
      )
      if (chip._tag !== "Pixels") return assert.fail("expected pixels")
      assert.deepStrictEqual(chip.provenance.images, ["20210610T100000_T33TUN"])
      for (let r = 0; r < 64; r++) {
        for (let col = 0; col < 64; col++) {
          const [x] = PixelGrid.pixelCentre(grid, col, r)
          const expected = x > Fixture.edgeX || col % 5 === 0 ? 0 : 1
          if (chip.mask[r * 64 + col] !== expected) assert.fail(`mask at ${col},${r}`)
        }
      }
    })
  )

  it.live("a median composite lists every image of the window", () =>
    Effect.gen(function* () {
      const c = yield* client()
      const chip = yield* Source.read(
        c,
        { ...s2, operations: [{ op: "filterDate" }, { op: "median" }] },
        Fixture.grid(),
        Fixture.june2021,
        { limits: small }
      )
      if (chip._tag !== "Pixels") return assert.fail("expected pixels")
      assert.strictEqual(chip.provenance.images.length, 3)
      const [x, y] = PixelGrid.pixelCentre(Fixture.grid(), 0, 0)
      const vs = [0, 1, 2].map((k) => Fixture.value(k, 0, x, y)).sort((a, b) => a - b)
      assert.strictEqual(chip.data[0], vs[1])
    })
  )

  it.live("an empty window is NoImage without any pixel request", () =>
    Effect.gen(function* () {
      const before = double.requests.length
      const c = yield* client()
      const chip = yield* Source.read(c, s2, Fixture.grid(), {
        start: Date.UTC(2019, 0, 1),
        end: Date.UTC(2019, 0, 31)
      })
      assert.strictEqual(chip._tag, "NoImage")
      const seen = double.requests.slice(before)
      assert.deepStrictEqual(
        seen.map((r) => r.method),
        ["value:compute"]
      )
    })
  )
})
