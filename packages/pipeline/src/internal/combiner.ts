// One composite chip being made: running rules keep one value per band-pixel; medians keep small stacks in
// memory and spill larger ones to a store, then read them back strip by strip (bounded memory, exact).
import { Median, Running, type Rule } from "@eoforge/composite"
import { DType } from "@eoforge/core"
import type { Store, ZarrError } from "@eoforge/zarr"
import { Effect } from "effect"

/** What a combiner needs to know. */
export interface Options {
  readonly rule: Rule.Rule
  readonly dtype: DType.DType
  readonly bands: number
  readonly width: number
  readonly height: number
  /** Acquisitions that will be added at most. */
  readonly layers: number
  readonly spill: {
    readonly store: Store.StoreApi
    readonly prefix: string
    readonly memoryLayers?: number
    readonly stripBytes?: number
  }
  /** Unique name of the chip under the spill prefix. */
  readonly name: string
}

/** Adds acquisitions (best first) and gives the composite; `clear` removes what was spilled. */
export interface Combiner {
  readonly add: (
    data: DType.TypedArray,
    mask: Uint8Array
  ) => Effect.Effect<void, ZarrError.StoreError>
  readonly finish: (
    fill: ReadonlyArray<number>
  ) => Effect.Effect<Running.Result, ZarrError.StoreError>
  readonly clear: Effect.Effect<void>
  /** Whether `add` is done with its arrays when it returns (so the caller may refill them). */
  readonly copies: boolean
}

const bytesOf = (a: ArrayBufferView): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength)

// A typed view of spilled bytes (copied when the store hands back an unaligned slice).
const typedOf = (dtype: DType.DType, bytes: Uint8Array): DType.TypedArray => {
  const size = DType.byteSize(dtype)
  const out = DType.alloc(dtype, 0)
  const Ctor = out.constructor as new (b: ArrayBufferLike, o: number, n: number) => DType.TypedArray
  if (bytes.byteOffset % size === 0)
    return new Ctor(bytes.buffer, bytes.byteOffset, bytes.length / size)
  const copy = bytes.slice()
  return new Ctor(copy.buffer, 0, copy.length / size)
}

/** A combiner for one chip. */
export const make = (o: Options): Combiner => {
  const pixels = o.width * o.height
  if (o.rule !== "median") {
    const r = Running.make(o.rule, o.dtype, o.bands, pixels)
    return {
      add: (data, mask) => Effect.sync(() => Running.add(r, data, mask)),
      finish: (fill) => Effect.sync(() => Running.finish(r, fill)),
      clear: Effect.void,
      copies: true
    }
  }
  if (o.layers <= (o.spill.memoryLayers ?? 8)) {
    const layers: Array<Median.Layer> = []
    return {
      add: (data, mask) => Effect.sync(() => void layers.push({ data, mask })),
      finish: (fill) => Effect.sync(() => Median.ofStack(layers, o.dtype, o.bands, pixels, fill)),
      clear: Effect.sync(() => void (layers.length = 0)),
      copies: false
    }
  }
  return spilled(o, pixels)
}

// Each acquisition is one value `[bands × pixels values][pixels mask bytes]`; medians are read back a strip
// of rows at a time from every acquisition, strips sized so that all of them fit `stripBytes`.
const spilled = (o: Options, pixels: number): Combiner => {
  const { store } = o.spill
  const size = DType.byteSize(o.dtype)
  const keys: Array<string> = []
  const count = new Uint16Array(pixels)
  const keyOf = (k: number) => `${o.spill.prefix}${o.name}/${k}`
  // Reads fill buffers allocated once per chip: the strip loop makes no garbage (a median of 60 scenes
  // would otherwise leave ~100 MB for the collector).
  const readInto = (key: string, offset: number, target: Uint8Array) =>
    Effect.gen(function* () {
      const ranged = store.openRanged === undefined ? undefined : yield* store.openRanged(key)
      if (ranged !== undefined) {
        yield* ranged.readInto(offset, target).pipe(Effect.ensuring(ranged.close))
        return
      }
      const v = yield* store.getRange === undefined
        ? Effect.map(store.get(key), (all) => all?.subarray(offset, offset + target.length))
        : store.getRange(key, { offset, length: target.length })
      // A spilled value vanishing under us is a broken invariant (someone cleared `.eoforge/tmp/`).
      if (v === undefined || v.length !== target.length)
        throw new Error(`spilled ${key} is gone or short`)
      target.set(v)
    })
  return {
    add: (data, mask) =>
      Effect.gen(function* () {
        const key = keyOf(keys.length)
        yield* store.set(key, [bytesOf(data), mask])
        keys.push(key)
        Running.addCount(count, mask)
      }),
    finish: (fill) =>
      Effect.gen(function* () {
        const data = DType.alloc(o.dtype, o.bands * pixels)
        const filled = new Uint8Array(o.bands * pixels)
        const k = keys.length
        const s = Median.scratch(k)
        const budget = o.spill.stripBytes ?? 16 * 1024 * 1024
        const rows = Math.max(1, Math.floor(budget / Math.max(1, k * o.width * (size + 1))))
        const valueBytes = keys.map(() => new Uint8Array(rows * o.width * size))
        const maskBytes = keys.map(() => new Uint8Array(rows * o.width))
        for (let y = 0; y < o.height; y += rows) {
          const h = Math.min(rows, o.height - y)
          const at = y * o.width
          const n = h * o.width
          const masks = maskBytes.map((m) => m.subarray(0, n))
          for (let a = 0; a < k; a++)
            yield* readInto(keys[a], o.bands * pixels * size + at, masks[a])
          const values = valueBytes.map((v) => typedOf(o.dtype, v.subarray(0, n * size)))
          for (let b = 0; b < o.bands; b++) {
            for (let a = 0; a < k; a++) {
              yield* readInto(
                keys[a],
                (b * pixels + at) * size,
                valueBytes[a].subarray(0, n * size)
              )
            }
            const empty = fill[b] ?? (DType.isFloat(o.dtype) ? NaN : 0)
            Median.strip(values, masks, 0, n, data, filled, b * pixels + at, empty, s)
          }
        }
        return { data, count, filled }
      }),
    clear: Effect.suspend(() =>
      Effect.forEach(keys.splice(0), (key) => store.delete(key), { discard: true })
    ).pipe(Effect.ignore),
    // Every store back-end copies or writes what it is given before `set` completes.
    copies: true
  }
}
