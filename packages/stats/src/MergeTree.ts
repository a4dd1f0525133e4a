// A streaming merge tree of grouped statistics: leaves (shards) added in order, merged k at a time, then
// those partials k at a time, and so on; memory holds one partial per level, O(log_k n) in all.
import type { Band } from "@eoforge/core"
import * as Grouped from "./Grouped.ts"
import * as Packed from "./Packed.ts"

/** The default fan-in: with up to 16 shards the result is bit-identical to merging them in order. */
export const defaultFanIn = 16

/** A merge tree being filled. */
export interface MergeTree {
  readonly products: ReadonlyArray<Band.ProductSpec>
  readonly options: Readonly<Record<string, Grouped.ProductOptions>>
  readonly fanIn: number
  /** levels[i]: the partial of the current node at height i and how many children it has merged. */
  readonly levels: Array<{ partial: Grouped.Grouped; children: number } | undefined>
  /** Leaves added. */
  leaves: number
}

/** An empty tree; `fanIn` ≥ 2. */
export const make = (
  products: ReadonlyArray<Band.ProductSpec>,
  fanIn: number = defaultFanIn,
  options: Readonly<Record<string, Grouped.ProductOptions>> = {}
): MergeTree => {
  if (!(Number.isInteger(fanIn) && fanIn >= 2)) throw new RangeError(`fan-in ${fanIn} is not ≥ 2`)
  return { products, options, fanIn, levels: [], leaves: 0 }
}

// The node at height `h`, created empty.
const node = (t: MergeTree, h: number) =>
  (t.levels[h] ??= { partial: Grouped.empty(t.products, t.options), children: 0 })

// A node with fanIn children is complete: it becomes a child of the node above (moved when that one is
// still empty: merging into an empty total copies every number unchanged).
const carry = (t: MergeTree, h: number): void => {
  for (let level = h; t.levels[level]!.children === t.fanIn; level++) {
    const full = t.levels[level]!
    t.levels[level] = undefined
    const above = t.levels[level + 1]
    if (above === undefined) t.levels[level + 1] = { partial: full.partial, children: 1 }
    else {
      Grouped.mergeInto(above.partial, full.partial)
      above.children++
    }
  }
}

/** Adds the next shard's statistics in their binary form (see `Packed.mergeInto` for the errors). */
export const addPacked = (t: MergeTree, bytes: Uint8Array): void => {
  const leaf = node(t, 0)
  Packed.mergeInto(leaf.partial, bytes)
  leaf.children++
  t.leaves++
  carry(t, 0)
}

/** Adds the next shard's statistics as accumulators (e.g. decoded from the JSON form). */
export const add = (t: MergeTree, g: Grouped.Grouped): void => {
  const leaf = node(t, 0)
  Grouped.mergeInto(leaf.partial, g)
  leaf.children++
  t.leaves++
  carry(t, 0)
}

/**
 * The statistics of every leaf: the open nodes merged from the highest (earliest leaves) down. The tree is
 * left unchanged only when it holds at most one open node; use it once.
 */
export const result = (t: MergeTree): Grouped.Grouped => {
  let total: Grouped.Grouped | undefined
  for (let h = t.levels.length - 1; h >= 0; h--) {
    const open = t.levels[h]
    if (open === undefined) continue
    total = total === undefined ? open.partial : Grouped.mergeInto(total, open.partial)
  }
  return total ?? Grouped.empty(t.products, t.options)
}
