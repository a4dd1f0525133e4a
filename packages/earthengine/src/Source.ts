// One chip from Earth Engine: which images the slot's operations pick (value:compute), then their pixels on
// the patch grid (computePixels, split under the limits), band-major, with the validity mask and provenance.
import { DType, type PixelGrid } from "@eoforge/core"
import { Effect, Schema } from "effect"
import type { Client, ClientError } from "./Client.ts"
import * as Expression from "./Expression.ts"
import * as Npy from "./Npy.ts"
import * as Operations from "./Operations.ts"
import * as Requests from "./Requests.ts"

/** What a product reads from Earth Engine. */
export interface ProductSource {
  readonly asset: Operations.Asset
  readonly operations: ReadonlyArray<Operations.Operation>
  /** Earth Engine band names, in stored order. */
  readonly bands: ReadonlyArray<string>
  /** Stored dtype; pixels are cast to it by Earth Engine (`Image.toUint16` …). */
  readonly dtype: DType.DType
}

/** Where the pixels of a chip came from. */
export interface Provenance {
  /** `system:index` of every image the pixels come from (the asset id for an Image asset). */
  readonly images: ReadonlyArray<string>
  /** `system:time_start` of those images, ms since 1970 (empty for an Image asset). */
  readonly times: ReadonlyArray<number>
  /** The serialised expression of the pixels (JSON text; holds no credential). */
  readonly expression: string
  /** computePixels and value:compute requests made for the chip. */
  readonly requests: number
}

/** Pixels of a chip. */
export interface Pixels {
  readonly _tag: "Pixels"
  /** bands × height × width values of the dtype, band-major. */
  readonly data: DType.TypedArray
  /** height × width, 1 where every band holds data. */
  readonly mask: Uint8Array
  readonly provenance: Provenance
}

/** No image in the slot's window (after the filters). */
export interface NoImage {
  readonly _tag: "NoImage"
  readonly provenance: Provenance
}

/** A response that does not hold what was asked (bands, size or format). */
export class ResponseError extends Schema.TaggedError<ResponseError>()("ResponseError", {
  message: Schema.String
}) {}

/** What reading a chip can fail with. */
export type ReadError =
  ClientError | ResponseError | Operations.OperationsError | Requests.TooLargeError

const asNumbers = (v: unknown): ReadonlyArray<number> =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : []
const asStrings = (v: unknown): ReadonlyArray<string> =>
  Array.isArray(v) ? v.map((x) => String(x)) : []

/** The images a slot's operations pick, listed by one value:compute. */
export interface Selected {
  readonly images: ReadonlyArray<string>
  readonly times: ReadonlyArray<number>
  /** Values of `cloudProperty` of those images, when asked. */
  readonly clouds: ReadonlyArray<number>
  readonly requests: number
}

const compileFor = (
  source: ProductSource,
  grid: PixelGrid.PixelGrid,
  window: Operations.Window,
  cloudProperty?: string
) =>
  Effect.try({
    try: () =>
      Operations.compile(
        source.asset,
        source.operations,
        source.bands,
        source.dtype,
        window,
        grid,
        cloudProperty
      ),
    catch: (e) =>
      e instanceof Operations.OperationsError
        ? e
        : new Operations.OperationsError({ message: String(e) })
  })

/** The images the operations pick for `window` on `grid` (an Image asset: itself, no request). */
export const select = (
  client: Client,
  source: ProductSource,
  grid: PixelGrid.PixelGrid,
  window: Operations.Window,
  cloudProperty?: string
): Effect.Effect<Selected, ClientError | Operations.OperationsError> =>
  Effect.gen(function* () {
    const compiled = yield* compileFor(source, grid, window, cloudProperty)
    if (compiled.sources === undefined) {
      const images = "image" in source.asset ? [source.asset.image] : []
      return { images, times: [], clouds: [], requests: 0 }
    }
    const listed = yield* client.computeValue(Expression.serialise(compiled.sources))
    const l = (listed ?? {}) as { ids?: unknown; times?: unknown; clouds?: unknown }
    return {
      images: asStrings(l.ids),
      times: asNumbers(l.times),
      clouds: asNumbers(l.clouds),
      requests: 1
    }
  })

/**
 * The pixels of `source` on `grid` for the slot `window`: one computePixels per request part, `concurrency`
 * at a time, reassembled band-major with the validity mask.
 */
export const pixels = (
  client: Client,
  source: ProductSource,
  grid: PixelGrid.PixelGrid,
  window: Operations.Window,
  options: { readonly limits?: Requests.Limits; readonly concurrency?: number } = {}
): Effect.Effect<
  {
    readonly data: DType.TypedArray
    readonly mask: Uint8Array
    readonly expression: string
    readonly requests: number
  },
  ReadError
> =>
  Effect.gen(function* () {
    const compiled = yield* compileFor(source, grid, window)
    const expression = Expression.serialise(compiled.image)
    let requests = 0
    const parts = yield* Effect.try({
      try: () =>
        Requests.plan(grid.width, grid.height, source.bands.length, source.dtype, options.limits),
      catch: (e) => e as Requests.TooLargeError
    })
    const n = grid.width * grid.height
    const data = DType.alloc(source.dtype, source.bands.length * n)
    const mask = new Uint8Array(n)
    const seen = new Uint8Array(n)
    yield* Effect.forEach(
      parts,
      (part) =>
        Effect.gen(function* () {
          const bandIds = [...part.bands.map((b) => source.bands[b]), Operations.validBand]
          const bytes = yield* client.computePixels({
            expression,
            fileFormat: "NPY",
            grid: Requests.restGrid(grid, part),
            bandIds
          })
          requests++
          const decoded = yield* Effect.try({
            try: () => Npy.decode(bytes),
            catch: (e) =>
              new ResponseError({ message: `computePixels answer: ${(e as Error).message}` })
          })
          if (decoded.width !== part.width || decoded.height !== part.height)
            return yield* new ResponseError({
              message: `computePixels answered ${decoded.width} × ${decoded.height} px for a ${part.width} × ${part.height} request`
            })
          for (const [k, id] of bandIds.entries()) {
            const at = decoded.names.indexOf(id)
            if (at < 0)
              return yield* new ResponseError({
                message: `computePixels answer has no band ${id} (bands: ${decoded.names.join(", ")})`
              })
            if (k < part.bands.length) {
              Requests.place(decoded.data[at], data, part.bands[k] * n, grid.width, part)
            } else {
              // Every part carries the validity band; a pixel is valid only if valid in every part.
              const valid = decoded.data[at]
              for (let r = 0; r < part.height; r++) {
                for (let c = 0; c < part.width; c++) {
                  const i = (part.row0 + r) * grid.width + part.col0 + c
                  const v = valid[r * part.width + c] === 1 ? 1 : 0
                  mask[i] = seen[i] === 0 ? v : mask[i] & v
                  seen[i] = 1
                }
              }
            }
          }
        }),
      { concurrency: options.concurrency ?? 4, discard: true }
    )
    return { data, mask, expression: JSON.stringify(expression), requests }
  })

/**
 * Read the chip of `source` on `grid` for the slot `window`: `select` (none: `NoImage`, no pixel request
 * made), then `pixels`.
 */
export const read = (
  client: Client,
  source: ProductSource,
  grid: PixelGrid.PixelGrid,
  window: Operations.Window,
  options: { readonly limits?: Requests.Limits; readonly concurrency?: number } = {}
): Effect.Effect<Pixels | NoImage, ReadError> =>
  Effect.gen(function* () {
    const selected = yield* select(client, source, grid, window)
    const { images, times } = selected
    if (images.length === 0) {
      const compiled = yield* compileFor(source, grid, window)
      const expression = JSON.stringify(Expression.serialise(compiled.image))
      return {
        _tag: "NoImage",
        provenance: { images, times, expression, requests: selected.requests }
      } as const
    }
    const got = yield* pixels(client, source, grid, window, options)
    return {
      _tag: "Pixels",
      data: got.data,
      mask: got.mask,
      provenance: {
        images,
        times,
        expression: got.expression,
        requests: selected.requests + got.requests
      }
    } as const
  })
