// Statistics grouped by product, split and band, as a dataset build accumulates them.
// Normalisation constants come from the train split only, so val/test never leak into them.
import type { Band, Chip } from "@eoforge/core"
import * as Accumulator from "./Accumulator.ts"
import { InvalidStatsJson, UnknownGroup } from "./StatsError.ts"

/** The splits statistics are kept for (guard samples carry no data). */
export type SplitName = "train" | "val" | "test"

/** Every split name, in code order. */
export const splitNames: ReadonlyArray<SplitName> = ["train", "val", "test"]

/** Per product histogram options (range/bins for float products). */
export type ProductOptions = Pick<Accumulator.Options, "binning" | "range" | "bins">

/** Accumulators per product and split, created on first use. */
export interface Grouped {
  /** The products, by id. */
  readonly products: ReadonlyMap<string, Band.ProductSpec>
  /** Histogram options per product id. */
  readonly options: Readonly<Record<string, ProductOptions>>
  /** `${product}/${split}` → accumulator. */
  readonly groups: Map<string, Accumulator.Accumulator>
}

/** One row of a normalisation table (SSL4EO-S12 Table XII/XIII shape). */
export interface NormalisationRow {
  /** Band name. */
  readonly band: string
  /** Train-split mean. */
  readonly mean: number
  /** Train-split population standard deviation. */
  readonly std: number
}

/** The finalised statistics of one product. */
export interface ProductReport {
  /** Product id. */
  readonly product: string
  /** Per split, per band summaries (splits with no chips are absent). */
  readonly splits: Partial<Record<SplitName, ReadonlyArray<Accumulator.BandSummary>>>
  /** Mean and population std per band from the train split only (empty without train chips). */
  readonly normalisation: ReadonlyArray<NormalisationRow>
}

/** An empty grouped accumulator for these products. */
export const empty = (
  products: ReadonlyArray<Band.ProductSpec>,
  options: Readonly<Record<string, ProductOptions>> = {}
): Grouped => ({
  products: new Map(products.map((p) => [p.id, p])),
  options,
  groups: new Map()
})

const key = (product: string, split: SplitName) => `${product}/${split}`

const productOf = (g: Grouped, product: string): Band.ProductSpec => {
  const spec = g.products.get(product)
  if (spec === undefined) {
    throw new UnknownGroup({ what: "product", value: product, known: [...g.products.keys()] })
  }
  return spec
}

const checkSplit = (split: string): SplitName => {
  if (split !== "train" && split !== "val" && split !== "test") {
    throw new UnknownGroup({ what: "split", value: split, known: [...splitNames] })
  }
  return split
}

/** The accumulator of one product and split, created empty if needed. */
export const get = (g: Grouped, product: string, split: SplitName): Accumulator.Accumulator => {
  const spec = productOf(g, product)
  const k = key(product, checkSplit(split))
  let acc = g.groups.get(k)
  if (acc === undefined) {
    acc = Accumulator.fromProduct(spec, g.options[product])
    g.groups.set(k, acc)
  }
  return acc
}

/** Adds a chip of `product` in `split`, in place (see `Accumulator.add`); returns `g`. */
export const add = (
  g: Grouped,
  product: string,
  split: SplitName,
  chip: Chip.Chip,
  mask?: Uint8Array
): Grouped => {
  Accumulator.add(get(g, product, split), chip, mask)
  return g
}

/** The union of two grouped accumulators over the same products; neither input changes. */
export const merge = (a: Grouped, b: Grouped): Grouped => {
  const groups = new Map<string, Accumulator.Accumulator>()
  for (const [k, acc] of a.groups) groups.set(k, Accumulator.clone(acc))
  for (const [k, acc] of b.groups) {
    const mine = groups.get(k)
    groups.set(k, mine === undefined ? Accumulator.clone(acc) : Accumulator.merge(mine, acc))
  }
  const products = new Map(a.products)
  for (const [id, p] of b.products) if (!products.has(id)) products.set(id, p)
  return { products, options: { ...b.options, ...a.options }, groups }
}

/**
 * Adds `b` to `target` in place (bit-identical to `merge(target, b)`, without copying the running total):
 * merging thousands of shards costs one shard's memory beside the total. Returns `target`.
 */
export const mergeInto = (target: Grouped, b: Grouped): Grouped => {
  for (const [id] of b.products) productOf(target, id)
  for (const [k, acc] of b.groups) {
    const mine = target.groups.get(k)
    if (mine === undefined) target.groups.set(k, Accumulator.clone(acc))
    else Accumulator.mergeInto(mine, acc)
  }
  return target
}

/** Per product: band summaries per split and the train-only normalisation table. */
export const finalize = (g: Grouped): ReadonlyArray<ProductReport> =>
  [...g.products.keys()].map((product) => {
    const splits: Partial<Record<SplitName, ReadonlyArray<Accumulator.BandSummary>>> = {}
    for (const s of splitNames) {
      const acc = g.groups.get(key(product, s))
      if (acc !== undefined) splits[s] = Accumulator.finalize(acc)
    }
    const normalisation = (splits.train ?? []).map((r) => ({
      band: r.band,
      mean: r.mean,
      std: r.populationStd
    }))
    return { product, splits, normalisation }
  })

/** The JSON form of the accumulators (products are not included: both sides know the recipe). */
export const toJson = (g: Grouped): Readonly<Record<string, Accumulator.Json>> =>
  Object.fromEntries(
    [...g.groups].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, a]) => [k, Accumulator.toJson(a)])
  )

/** A grouped accumulator from its JSON form and the products; throws `InvalidStatsJson`/`UnknownGroup`. */
export const fromJson = (
  products: ReadonlyArray<Band.ProductSpec>,
  json: unknown,
  options: Readonly<Record<string, ProductOptions>> = {}
): Grouped => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new InvalidStatsJson({
      detail: "grouped statistics must be an object of product/split keys"
    })
  }
  const g = empty(products, options)
  for (const [k, v] of Object.entries(json)) {
    const slash = k.lastIndexOf("/")
    const product = k.slice(0, slash)
    productOf(g, product)
    checkSplit(k.slice(slash + 1))
    g.groups.set(k, Accumulator.fromJson(v))
  }
  return g
}
