// The limits every store layout must respect, checked when a layout is made and when a store is opened:
// a store written by someone else must not make a reader loop for ever, allocate gigabytes or name paths.
import { DType, SafeName } from "@eoforge/core"
import { Schema } from "effect"

/** Most samples in one store (4,000 × SSL4EO-S12). */
export const maxSamples = 1_000_000_000
/** Most shards (jobs) in one store. */
export const maxShards = 16_777_216
/** Most inner chunks in one shard (`shardSamples × times`): its index is 16 bytes per chunk. */
export const maxChunksPerShard = 4_194_304
/** Most products, bands per product and time slots per product. */
export const maxProducts = 1024
export const maxBands = 4096
export const maxTimes = 100_000
/** Largest chip side in pixels and largest chip in bytes. */
export const maxSide = 65_536
export const maxChipBytes = 2 ** 31 - 1

const isDType = Schema.is(DType.DType)

/** A problem of a layout: the key path (under `eoforge.layout`) and what is wrong. */
export interface Problem {
  readonly key: string
  readonly message: string
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max

const show = (v: unknown): string => {
  const s = JSON.stringify(v)
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}…` : s
}

const checkCompression = (c: unknown, key: string): Problem | undefined => {
  const name = (c as { name?: unknown } | null)?.name
  if (name === "none") return undefined
  if (name !== "zstd" && name !== "gzip")
    return { key, message: `compression must be zstd, gzip or none, got ${show(name)}` }
  const level = (c as { level?: unknown }).level
  if (!isInt(level, name === "zstd" ? -7 : 0, name === "zstd" ? 22 : 9))
    return { key: `${key}.level`, message: `${name} level ${show(level)} is out of range` }
  return undefined
}

/** The first problem of a layout (as parsed from JSON, so anything may be missing), or undefined. */
export const problemOf = (layout: unknown): Problem | undefined => {
  const l = layout as Record<string, unknown> | null
  if (typeof l !== "object" || l === null) return { key: "", message: "is not an object" }
  if (!isInt(l.samples, 1, maxSamples))
    return {
      key: "samples",
      message: `must be an integer from 1 to ${maxSamples}, got ${show(l.samples)}`
    }
  if (!isInt(l.shardSamples, 1, maxSamples))
    return {
      key: "shardSamples",
      message: `must be an integer from 1 to ${maxSamples}, got ${show(l.shardSamples)}`
    }
  const shards = Math.ceil(l.samples / l.shardSamples)
  if (shards > maxShards)
    return {
      key: "shardSamples",
      message: `${l.samples} samples in shards of ${l.shardSamples} make ${shards} shards; at most ${maxShards} are allowed`
    }
  if (typeof l.sharded !== "boolean")
    return { key: "sharded", message: `must be true or false, got ${show(l.sharded)}` }
  const products = l.products
  if (!Array.isArray(products) || products.length > maxProducts)
    return { key: "products", message: `must be a list of at most ${maxProducts} products` }
  const ids = new Set<string>()
  for (let i = 0; i < products.length; i++) {
    const key = `products[${i}]`
    const p = products[i] as Record<string, any> | null
    const spec = p?.spec as Record<string, any> | undefined
    if (typeof spec !== "object" || spec === null)
      return { key: `${key}.spec`, message: "is missing" }
    const idProblem = SafeName.problem(spec.id)
    if (idProblem !== undefined)
      return { key: `${key}.spec.id`, message: `product id ${show(spec.id)} ${idProblem}` }
    if (spec.id === "samples")
      return { key: `${key}.spec.id`, message: `"samples" is the samples group, not a product` }
    if (ids.has(spec.id))
      return { key: `${key}.spec.id`, message: `product id "${spec.id}" appears twice` }
    ids.add(spec.id)
    if (!isDType(spec.dtype))
      return { key: `${key}.spec.dtype`, message: `unknown data type ${show(spec.dtype)}` }
    if (typeof spec.resolution !== "number" || !(spec.resolution > 0) || !isFinite(spec.resolution))
      return { key: `${key}.spec.resolution`, message: `must be a positive number of metres` }
    const bands = spec.bands
    if (!Array.isArray(bands) || bands.length < 1 || bands.length > maxBands)
      return { key: `${key}.spec.bands`, message: `must list 1 to ${maxBands} bands` }
    const names = new Set<string>()
    for (let b = 0; b < bands.length; b++) {
      const name = (bands[b] as { name?: unknown } | null)?.name
      const problem = SafeName.problem(name)
      if (problem !== undefined)
        return {
          key: `${key}.spec.bands[${b}].name`,
          message: `band name ${show(name)} ${problem}`
        }
      if (names.has(name as string))
        return { key: `${key}.spec.bands[${b}].name`, message: `band "${name}" appears twice` }
      names.add(name as string)
    }
    for (const [k, max] of [
      ["times", maxTimes],
      ["height", maxSide],
      ["width", maxSide]
    ] as const) {
      if (!isInt(p![k], 1, max))
        return {
          key: `${key}.${k}`,
          message: `must be an integer from 1 to ${max}, got ${show(p![k])}`
        }
    }
    if (p!.count !== undefined && typeof p!.count !== "boolean")
      return { key: `${key}.count`, message: `must be true or false, got ${show(p!.count)}` }
    if (bands.length * p!.height * p!.width * DType.byteSize(spec.dtype) > maxChipBytes)
      return { key, message: `a chip of ${spec.id} would exceed ${maxChipBytes} bytes` }
    if (l.shardSamples * p!.times > maxChunksPerShard)
      return {
        key: "shardSamples",
        message: `shards of ${l.shardSamples} samples × ${p!.times} times of ${spec.id} hold ${l.shardSamples * p!.times} chunks; at most ${maxChunksPerShard} are allowed`
      }
    const compression = checkCompression(p!.compression, `${key}.compression`)
    if (compression !== undefined) return compression
  }
  return undefined
}
