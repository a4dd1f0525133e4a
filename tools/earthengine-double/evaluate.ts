// The test double's evaluator of Earth Engine expression graphs over fixture images: the algorithms
// EOForge's operations compile to, with Earth Engine's error messages for unknown assets and bands.
import { Expression } from "@eoforge/earthengine"
import type { DType } from "@eoforge/core"

/** A grid as computePixels gives it. */
export interface Grid {
  readonly crsCode: string
  readonly x0: number
  readonly y0: number
  readonly resolution: number
  readonly width: number
  readonly height: number
}

/** One band's pixels on a grid: values and validity (1 valid). */
export interface BandPixels {
  readonly data: Float64Array
  readonly mask: Uint8Array
}

/** Resampling of leaf reads (Earth Engine's default is nearest). */
export type Mode = "nearest" | "bilinear" | "bicubic"

/** An image of a fixture collection (or a fixture Image asset). */
export interface FixtureImage {
  /** `system:index`. */
  readonly id: string
  /** `system:time_start`, ms. */
  readonly time: number
  readonly properties: Readonly<Record<string, unknown>>
  readonly bands: ReadonlyArray<{ readonly name: string; readonly dtype: DType.DType }>
  /** Whether the image intersects the rectangle [minX, minY, maxX, maxY] in `crsCode`. */
  readonly intersects: (crsCode: string, bbox: readonly [number, number, number, number]) => boolean
  /** The band's pixels on the grid. */
  readonly pixels: (band: string, grid: Grid, mode: Mode) => Promise<BandPixels>
}

/** An error the double answers with HTTP 400 and Earth Engine's message. */
export class EvalError extends Error {}

interface ImageValue {
  readonly kind: "image"
  readonly id: string
  readonly time: number
  readonly properties: Readonly<Record<string, unknown>>
  readonly bands: ReadonlyArray<{ readonly name: string; readonly dtype: DType.DType }>
  readonly compute: (grid: Grid, mode: Mode) => Promise<ReadonlyArray<BandPixels>>
  readonly fixture?: FixtureImage
}
interface CollectionValue {
  readonly kind: "collection"
  readonly images: ReadonlyArray<ImageValue>
}
type Value = unknown

// Leaf reads are cached per grid and mode for the life of one evaluation (one request).
const leaf = (f: FixtureImage): ImageValue => {
  const cache = new Map<string, Promise<ReadonlyArray<BandPixels>>>()
  return {
    kind: "image",
    id: f.id,
    time: f.time,
    properties: f.properties,
    bands: f.bands,
    fixture: f,
    compute: (grid, mode) => {
      const key = `${JSON.stringify(grid)}|${mode}`
      let hit = cache.get(key)
      if (hit === undefined) {
        hit = Promise.all(f.bands.map((b) => f.pixels(b.name, grid, mode)))
        cache.set(key, hit)
      }
      return hit
    }
  }
}

const derived = (
  from: ImageValue,
  bands: ImageValue["bands"],
  compute: ImageValue["compute"]
): ImageValue => ({
  kind: "image",
  id: from.id,
  time: from.time,
  properties: from.properties,
  bands,
  compute
})

const property = (img: ImageValue, name: string): unknown =>
  name === "system:index" ? img.id : name === "system:time_start" ? img.time : img.properties[name]

const ranges: Record<string, readonly [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647]
}
const castTo: Record<string, DType.DType> = {
  "Image.toUint8": "uint8",
  "Image.toInt8": "int8",
  "Image.toUint16": "uint16",
  "Image.toInt16": "int16",
  "Image.toUint32": "uint32",
  "Image.toInt32": "int32",
  "Image.toFloat": "float32",
  "Image.toDouble": "float64"
}

// Per-pixel reduction of a collection's images (masked pixels excluded).
const composite = (c: CollectionValue, how: "median" | "mean" | "mosaic"): ImageValue => {
  if (c.images.length === 0) throw new EvalError(`reduce.${how}: the collection is empty`)
  const first = c.images[0]
  return {
    kind: "image",
    id: how,
    time: first.time,
    properties: {},
    bands: first.bands,
    compute: async (grid, mode) => {
      const all = await Promise.all(c.images.map((i) => i.compute(grid, mode)))
      const n = grid.width * grid.height
      return first.bands.map((_, b) => {
        const data = new Float64Array(n)
        const mask = new Uint8Array(n)
        for (let p = 0; p < n; p++) {
          const vs: Array<number> = []
          for (const img of all) if (img[b].mask[p] === 1) vs.push(img[b].data[p])
          if (vs.length === 0) continue
          mask[p] = 1
          if (how === "mosaic") data[p] = vs[vs.length - 1]
          else if (how === "mean") data[p] = vs.reduce((s, v) => s + v, 0) / vs.length
          else {
            vs.sort((a, z) => a - z)
            const m = vs.length >> 1
            data[p] = vs.length % 2 === 1 ? vs[m] : (vs[m - 1] + vs[m]) / 2
          }
        }
        return { data, mask }
      })
    }
  }
}

const compare = (op: string, a: unknown, b: unknown): boolean => {
  switch (op) {
    case "Filter.equals":
      return a === b
    case "Filter.notEquals":
      return a !== b
    case "Filter.lessThan":
      return (a as number) < (b as number)
    case "Filter.lessThanOrEquals":
      return (a as number) <= (b as number)
    case "Filter.greaterThan":
      return (a as number) > (b as number)
    case "Filter.greaterThanOrEquals":
      return (a as number) >= (b as number)
    default:
      return Array.isArray(a) && a.includes(b)
  }
}

/** Evaluate a parsed expression over the fixture catalogue (collections by id, Image assets by id). */
export const evaluate = (
  root: Expression.Node,
  collections: Readonly<Record<string, ReadonlyArray<FixtureImage>>>,
  images: Readonly<Record<string, FixtureImage>>
): Value => {
  const ev = (node: Expression.Node, env: Readonly<Record<string, Value>>): Value => {
    switch (node._tag) {
      case "Const":
        return node.value
      case "Arg":
        return env[node.name]
      case "Fn":
        return node
      case "Dict":
        return Object.fromEntries(Object.entries(node.values).map(([k, v]) => [k, ev(v, env)]))
      case "List":
        return node.values.map((v) => ev(v, env))
      case "Call": {
        const a = Object.fromEntries(Object.entries(node.args).map(([k, v]) => [k, ev(v, env)]))
        return apply(node.name, a)
      }
    }
  }
  const apply = (name: string, a: Record<string, any>): Value => {
    if (name in castTo) {
      const img = a.value as ImageValue
      const dtype = castTo[name]
      const range = ranges[dtype]
      return derived(
        img,
        img.bands.map((b) => ({ ...b, dtype })),
        async (grid, mode) =>
          (await img.compute(grid, mode)).map(({ data, mask }) => {
            if (range === undefined) return { data: Float64Array.from(data), mask }
            const out = new Float64Array(data.length)
            for (let i = 0; i < data.length; i++) {
              const v = data[i]
              const r = v < 0 ? -Math.round(-v) : Math.round(v)
              out[i] = Math.min(range[1], Math.max(range[0], r))
            }
            return { data: out, mask }
          })
      )
    }
    switch (name) {
      case "ImageCollection.load": {
        const c = collections[a.id as string]
        if (c === undefined)
          throw new EvalError(`ImageCollection.load: ImageCollection asset '${a.id}' not found.`)
        return { kind: "collection", images: c.map(leaf) } satisfies CollectionValue
      }
      case "Image.load": {
        const f = images[a.id as string]
        if (f === undefined) throw new EvalError(`Image.load: Image asset '${a.id}' not found.`)
        return leaf(f)
      }
      case "DateRange":
        return { start: a.start as number, end: a.end as number }
      case "Projection":
        return { crs: a.crs as string }
      case "GeometryConstructors.Polygon": {
        const ring = (a.coordinates as Array<Array<[number, number]>>)[0]
        const xs = ring.map((p) => p[0])
        const ys = ring.map((p) => p[1])
        return {
          crs: (a.crs as { crs: string } | undefined)?.crs ?? "EPSG:4326",
          bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as const
        }
      }
      case "Filter.dateRangeContains": {
        const r = a.leftValue as { start: number; end: number }
        const field = a.rightField as string
        return (img: ImageValue) => {
          const t = property(img, field) as number
          return t >= r.start && t < r.end
        }
      }
      case "Filter.intersects": {
        const g = a.rightValue as { crs: string; bbox: readonly [number, number, number, number] }
        return (img: ImageValue) =>
          img.fixture === undefined || img.fixture.intersects(g.crs, g.bbox)
      }
      case "Filter.equals":
      case "Filter.notEquals":
      case "Filter.lessThan":
      case "Filter.lessThanOrEquals":
      case "Filter.greaterThan":
      case "Filter.greaterThanOrEquals":
      case "Filter.listContains":
        return (img: ImageValue) => compare(name, property(img, a.leftField), a.rightValue)
      case "Collection.filter": {
        const c = a.collection as CollectionValue
        const f = a.filter as (img: ImageValue) => boolean
        return { kind: "collection", images: c.images.filter(f) } satisfies CollectionValue
      }
      case "Collection.limit": {
        const c = a.collection as CollectionValue
        let images = [...c.images]
        if (typeof a.key === "string") {
          const sign = a.ascending === false ? -1 : 1
          images = images
            .map((img, k) => ({ img, k }))
            .sort((x, y) => {
              const p = property(x.img, a.key) as number
              const q = property(y.img, a.key) as number
              return p < q ? -sign : p > q ? sign : x.k - y.k
            })
            .map((x) => x.img)
        }
        if (typeof a.limit === "number") images = images.slice(0, a.limit)
        return { kind: "collection", images } satisfies CollectionValue
      }
      case "Collection.first": {
        const c = a.collection as CollectionValue
        if (c.images.length === 0) throw new EvalError("Collection.first: Empty collection.")
        return c.images[0]
      }
      case "Collection.map": {
        const c = a.collection as CollectionValue
        const f = a.baseAlgorithm as Extract<Expression.Node, { _tag: "Fn" }>
        return {
          kind: "collection",
          images: c.images.map((img) => ev(f.body, { [f.argumentNames[0]]: img }) as ImageValue)
        } satisfies CollectionValue
      }
      case "reduce.median":
        return composite(a.collection, "median")
      case "reduce.mean":
        return composite(a.collection, "mean")
      case "ImageCollection.mosaic":
        return composite(a.collection, "mosaic")
      case "AggregateFeatureCollection.array":
        return (a.collection as CollectionValue).images.map((img) => property(img, a.property))
      case "Image.select": {
        const img = a.input as ImageValue
        if (img === undefined) throw new EvalError("Image.select: Parameter 'input' is required.")
        const picks = (a.bandSelectors as Array<string>).map((s) => {
          const k = img.bands.findIndex((b) => b.name === s)
          if (k < 0) throw new EvalError(`Image.select: Pattern '${s}' did not match any bands.`)
          return k
        })
        const names =
          (a.newNames as Array<string> | undefined) ?? picks.map((k) => img.bands[k].name)
        return derived(
          img,
          picks.map((k, j) => ({ name: names[j], dtype: img.bands[k].dtype })),
          async (grid, mode) => {
            const all = await img.compute(grid, mode)
            return picks.map((k) => all[k])
          }
        )
      }
      case "Image.rename": {
        const img = a.input as ImageValue
        const names = a.names as Array<string>
        return derived(
          img,
          img.bands.map((b, k) => ({ ...b, name: names[k] })),
          img.compute
        )
      }
      case "Image.updateMask": {
        const img = a.image as ImageValue
        const m = a.mask as ImageValue
        return derived(img, img.bands, async (grid, mode) => {
          const [bands, [mask]] = await Promise.all([
            img.compute(grid, mode),
            m.compute(grid, mode)
          ])
          return bands.map(({ data, mask: own }) => {
            const out = new Uint8Array(own.length)
            for (let i = 0; i < own.length; i++)
              out[i] = own[i] === 1 && mask.mask[i] === 1 && mask.data[i] !== 0 ? 1 : 0
            return { data, mask: out }
          })
        })
      }
      case "Image.remap": {
        const img = a.image as ImageValue
        const from = a.from as Array<number>
        const to = a.to as Array<number>
        return derived(img, [{ name: "remapped", dtype: "float64" }], async (grid, mode) => {
          const [band] = await img.compute(grid, mode)
          const data = band.data.map((v) => {
            const k = from.indexOf(v)
            return k >= 0 ? to[k] : (a.defaultValue as number)
          })
          return [{ data, mask: band.mask }]
        })
      }
      case "Image.resample": {
        const img = a.image as ImageValue
        return derived(img, img.bands, (grid) => img.compute(grid, a.mode as Mode))
      }
      case "Image.mask": {
        const img = a.image as ImageValue
        return derived(img, img.bands, async (grid, mode) =>
          (await img.compute(grid, mode)).map(({ mask }) => ({
            data: Float64Array.from(mask),
            mask: new Uint8Array(mask.length).fill(1)
          }))
        )
      }
      case "Reducer.min":
        return "min"
      case "Image.reduce": {
        const img = a.image as ImageValue
        return derived(img, [{ name: "min", dtype: "float64" }], async (grid, mode) => {
          const all = await img.compute(grid, mode)
          const n = grid.width * grid.height
          const data = new Float64Array(n).fill(Number.POSITIVE_INFINITY)
          for (const b of all) for (let i = 0; i < n; i++) data[i] = Math.min(data[i], b.data[i])
          return [{ data, mask: new Uint8Array(n).fill(1) }]
        })
      }
      case "Image.addBands": {
        const dst = a.dstImg as ImageValue
        const src = a.srcImg as ImageValue
        return derived(dst, [...dst.bands, ...src.bands], async (grid, mode) => [
          ...(await dst.compute(grid, mode)),
          ...(await src.compute(grid, mode))
        ])
      }
      default:
        throw new EvalError(`Unknown algorithm ${name}.`)
    }
  }
  return ev(root, {})
}

/** Whether a value is an image (what computePixels needs). */
export const isImage = (v: unknown): v is ImageValue =>
  typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "image"

export type { ImageValue }
