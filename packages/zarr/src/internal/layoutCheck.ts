// What a layout read from a store's root attributes must satisfy before anything sizes loops or buffers by
// it: a hostile or damaged zarr.json becomes one message, never a crash or a 10^15-iteration loop.
import { SafeName } from "@eoforge/core"

const dtypes = new Set([
  "uint8",
  "int8",
  "uint16",
  "int16",
  "uint32",
  "int32",
  "float32",
  "float64"
])
const compressions = new Set(["zstd", "gzip", "none"])

/** Limits of a readable store: 2^31 samples, 2^24 samples per shard, 10 000 times, 65 536 px, 8192 bands. */
export const limits = {
  samples: 2 ** 31,
  shardSamples: 2 ** 24,
  times: 10_000,
  side: 65_536,
  bands: 8192,
  products: 1024
} as const

const int = (v: unknown, min: number, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/** Why `layout` (the `eoforge.layout` attribute) cannot be read, or undefined when it can. */
export const problem = (layout: unknown): string | undefined => {
  if (!isObject(layout)) return "eoforge.layout is not an object"
  if (!int(layout.samples, 0, limits.samples))
    return `eoforge.layout.samples is ${JSON.stringify(layout.samples)} (an integer 0–${limits.samples})`
  if (!int(layout.shardSamples, 1, limits.shardSamples))
    return `eoforge.layout.shardSamples is ${JSON.stringify(layout.shardSamples)} (an integer 1–${limits.shardSamples})`
  if (typeof layout.sharded !== "boolean") return "eoforge.layout.sharded is not a boolean"
  const products = layout.products
  if (!Array.isArray(products) || products.length > limits.products)
    return `eoforge.layout.products is not a list of at most ${limits.products} products`
  const ids = new Set<string>()
  for (const [i, p] of products.entries()) {
    const where = `eoforge.layout.products[${i}]`
    if (!isObject(p) || !isObject(p.spec)) return `${where} has no spec`
    const spec = p.spec
    const bad = SafeName.problem(spec.id)
    if (bad !== undefined) return `${where}.spec.id: ${bad}`
    if (ids.has(spec.id as string)) return `${where}.spec.id ${String(spec.id)} is repeated`
    ids.add(spec.id as string)
    if (!dtypes.has(spec.dtype as string))
      return `${where}.spec.dtype ${JSON.stringify(spec.dtype)} is unknown`
    if (
      !Array.isArray(spec.bands) ||
      spec.bands.length < 1 ||
      spec.bands.length > limits.bands ||
      !spec.bands.every((b) => isObject(b) && typeof b.name === "string")
    )
      return `${where}.spec.bands is not a list of 1–${limits.bands} named bands`
    if (!int(p.times, 1, limits.times))
      return `${where}.times is ${JSON.stringify(p.times)} (1–${limits.times})`
    if (!int(p.height, 1, limits.side) || !int(p.width, 1, limits.side))
      return `${where} chips are ${JSON.stringify(p.height)} × ${JSON.stringify(p.width)} (1–${limits.side} px)`
    if (!isObject(p.compression) || !compressions.has(p.compression.name as string))
      return `${where}.compression is not zstd, gzip or none`
  }
  return undefined
}
