// Sources that are not STAC catalogues and item readers plug into chip extraction by name: the pipeline asks
// the product's source to find (and maybe read) and stores what it gives, converted to the product dtype.
import { assert, describe, it } from "@effect/vitest"
import { DType, Reason } from "@eoforge/core"
import type { SourceKind } from "@eoforge/sources"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { Build, Extract, Services, type Products } from "../src/index.ts"

const recipe = fileURLToPath(new URL("./fixtures/small.yaml", import.meta.url))

const noOpen: Extract.Opener = {
  use: () => Effect.die("a source that reads its own pixels opens no raster")
}

interface Seen {
  finds: Array<SourceKind.FindRequest>
  reads: Array<SourceKind.ReadRequest>
}

// A source that "computes" every band as a ramp scaled by the band number, with a hole in the first row.
const rampSource = (seen: Seen): SourceKind.Source => ({
  find: (request) =>
    Effect.sync(() => {
      seen.finds.push(request)
      return {
        _tag: "Found" as const,
        slot: request.slot.id,
        window: { start: request.slot.start, end: request.slot.end },
        fallback: false,
        items: [],
        assets: {},
        datetime: request.slot.reference,
        mosaic: false,
        coverage: 1
      }
    }),
  read: (request) =>
    Effect.sync(() => {
      seen.reads.push(request)
      const { grid } = request
      const n = grid.width * grid.height
      const data = new Float64Array(request.bands.length * n)
      request.bands.forEach((_, b) => {
        for (let i = 0; i < n; i++) data[b * n + i] = (b + 1) * (i % 97) + 0.4
      })
      const mask = new Uint8Array(n).fill(1).fill(0, 0, grid.width)
      return {
        _tag: "Chip" as const,
        chip: { grid, dtype: "float64" as const, bands: request.bands.length, data, mask },
        facts: { geocoding: "test", requests: 1 }
      }
    })
})

const products = Build.prepare(recipe).pipe(
  Effect.map((p) => ({ products: p.products, patch: p.plan.patches[0] })),
  Effect.provide(Services.layer)
)

describe("source kinds and item readers in chip extraction", () => {
  it.effect("a source that finds and reads its own pixels: stored as given, with its facts", () =>
    Effect.gen(function* () {
      const { products: all, patch } = yield* products
      const base = all[0]
      const seen: Seen = { finds: [], reads: [] }
      const product: Products.ProductPlan = { ...base, kind: rampSource(seen) }
      const outcome = yield* Extract.chip(patch, product, 0, noOpen)
      assert.strictEqual(outcome._tag, "Data")
      if (outcome._tag !== "Data") return
      assert.strictEqual(seen.finds.length, 1)
      assert.strictEqual(seen.finds[0].patch.id, patch.id)
      assert.strictEqual(seen.finds[0].slot.id, base.slots[0].id)
      const read = seen.reads[0]
      assert.deepStrictEqual(
        read.bands.map((b) => b.name),
        base.spec.bands.map((b) => b.name)
      )
      const n = read.grid.width * read.grid.height
      assert.strictEqual(outcome.data.length, base.spec.bands.length * n)
      assert.strictEqual(DType.of(outcome.data), base.spec.dtype)
      // Integer products get the values rounded; the first row has no data and holds the band's nodata.
      const last = base.spec.bands.length - 1
      const i = read.grid.width + 5
      assert.strictEqual(outcome.data[last * n + i], Math.round((last + 1) * (i % 97) + 0.4))
      assert.strictEqual(outcome.mask[0], 0)
      assert.strictEqual(outcome.mask[read.grid.width], 1)
      assert.strictEqual(outcome.data[last * n], base.spec.bands[last].nodata ?? 0)
      assert.deepStrictEqual(outcome.facts.provenance, { geocoding: "test", requests: 1 })
      assert.closeTo(outcome.facts.nodata ?? -1, read.grid.width / n, 1e-12)
    }).pipe(Effect.provide(Services.layer))
  )

  it.effect("a source's Missing is the chip's reason, with its detail", () =>
    Effect.gen(function* () {
      const { products: all, patch } = yield* products
      const product: Products.ProductPlan = {
        ...all[0],
        kind: {
          find: (request) =>
            Effect.succeed({
              _tag: "Missing" as const,
              slot: request.slot.id,
              reason: Reason.Reason.NotCovered,
              detail: "tile N48W090 does not exist in the archive"
            })
        }
      }
      const outcome = yield* Extract.chip(patch, product, 0, noOpen)
      assert.strictEqual(outcome._tag, "Missing")
      if (outcome._tag !== "Missing") return
      assert.strictEqual(outcome.reason, Reason.Reason.NotCovered)
      assert.include(outcome.detail, "N48W090")
    }).pipe(Effect.provide(Services.layer))
  )

  it.effect(
    "a preset naming an item reader the build does not have is Unsupported, naming it",
    () =>
      Effect.gen(function* () {
        const { products: all, patch } = yield* products
        const seen: Seen = { finds: [], reads: [] }
        const { read: _read, ...findOnly } = rampSource(seen)
        const product: Products.ProductPlan = {
          ...all[0],
          kind: findOnly,
          preset: { ...all[0].preset, reader: "no-such-reader" }
        }
        const outcome = yield* Extract.chip(patch, product, 0, noOpen)
        assert.strictEqual(outcome._tag, "Missing")
        if (outcome._tag !== "Missing") return
        assert.strictEqual(outcome.reason, Reason.Reason.Unsupported)
        assert.include(outcome.detail, "no-such-reader")
      }).pipe(Effect.provide(Services.layer))
  )
})
