// The binary form of grouped statistics: exact moments as float64 and exact histograms as varint runs of
// gaps and counts, a few KB per band instead of a JSON array; merged into a running total without expanding.
import type { Band } from "@eoforge/core"
import * as Accumulator from "./Accumulator.ts"
import * as Binning from "./Binning.ts"
import * as Grouped from "./Grouped.ts"
import { occupiedSlots } from "./internal/occupied.ts"
import { InvalidStatsJson, LayoutMismatch } from "./StatsError.ts"

const magic = "EOFSTAT2"

/** What the binary form records of each group before its numbers (JSON). */
interface GroupMeta {
  readonly key: string
  readonly names: ReadonlyArray<string>
  readonly dtype: Accumulator.Accumulator["dtype"]
  readonly nodata: ReadonlyArray<number | null>
  readonly binning: Binning.Binning
}

// A growable byte buffer.
class Writer {
  bytes = new Uint8Array(1 << 16)
  view = new DataView(this.bytes.buffer)
  length = 0
  room(n: number): void {
    if (this.length + n <= this.bytes.length) return
    let size = this.bytes.length * 2
    while (size < this.length + n) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
    this.view = new DataView(grown.buffer)
  }
  f64(x: number): void {
    this.room(8)
    this.view.setFloat64(this.length, x, true)
    this.length += 8
  }
  // Unsigned integers up to 2^53 (histogram counts are exact integers in float64), 7 bits a byte.
  varint(x: number): void {
    this.room(8)
    while (x >= 128) {
      this.bytes[this.length++] = (x % 128) | 128
      x = Math.floor(x / 128)
    }
    this.bytes[this.length++] = x
  }
}

// Slots of one band's histogram that hold counts (scratch of `encode`).
let occupied = new Int32Array(0)

/** The binary form of `g`'s accumulators (products are not included: both sides know the recipe). */
export const encode = (g: Grouped.Grouped): Uint8Array => {
  const groups = [...g.groups].sort(([x], [y]) => (x < y ? -1 : 1))
  const meta: Array<GroupMeta> = groups.map(([key, a]) => ({
    key,
    names: a.names,
    dtype: a.dtype,
    nodata: a.nodata.map((v) => v ?? null),
    binning: a.binning
  }))
  const text = new TextEncoder().encode(JSON.stringify(meta))
  const w = new Writer()
  w.room(12 + text.length)
  w.bytes.set(new TextEncoder().encode(magic), 0)
  w.view.setUint32(8, text.length, true)
  w.bytes.set(text, 12)
  w.length = 12 + text.length
  for (const [key, a] of groups) {
    const slots = Binning.slots(a.binning)
    for (let b = 0; b < a.names.length; b++) {
      w.f64(a.count[b])
      w.f64(a.mean[b])
      w.f64(a.m2[b])
      w.f64(a.min[b])
      w.f64(a.max[b])
      // The occupied slots, found in one pass over those of the band's range.
      const h = a.histogram
      const base = b * slots
      if (occupied.length < slots) occupied = new Int32Array(slots)
      const [first, last] = occupiedSlots(a.binning, slots, a.count[b], a.min[b], a.max[b])
      let m = 0
      for (let i = first; i <= last; i++) if (h[base + i] !== 0) occupied[m++] = i
      w.varint(m)
      // Gaps first, then counts: two streams of like numbers compress better than interleaved pairs.
      let previous = -1
      for (let r = 0; r < m; r++) {
        const i = occupied[r]
        w.varint(i - previous - 1)
        previous = i
      }
      for (let r = 0; r < m; r++) {
        const i = occupied[r]
        const c = h[base + i]
        if (!(Number.isSafeInteger(c) && c > 0)) {
          throw new RangeError(`${key} band ${b} histogram slot ${i} holds ${c}, not a count`)
        }
        w.varint(c)
      }
    }
  }
  return w.bytes.slice(0, w.length)
}

// A reader over the bytes; every read past the end is a damaged form.
class Reader {
  readonly bytes: Uint8Array
  readonly view: DataView
  at: number
  constructor(bytes: Uint8Array, at: number) {
    this.bytes = bytes
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.at = at
  }
  f64(): number {
    if (this.at + 8 > this.bytes.length) throw damaged("truncated")
    const x = this.view.getFloat64(this.at, true)
    this.at += 8
    return x
  }
  varint(): number {
    let x = 0
    let scale = 1
    for (;;) {
      if (this.at >= this.bytes.length) throw damaged("truncated")
      const byte = this.bytes[this.at++]
      x += (byte & 127) * scale
      if (byte < 128) return x
      scale *= 128
      if (scale > 2 ** 56) throw damaged("a number longer than 8 bytes")
    }
  }
}

const damaged = (why: string) =>
  new InvalidStatsJson({ detail: `the binary statistics are damaged (${why})` })

/** Whether bytes are in the binary form (else they are the JSON form of earlier versions). */
export const isPacked = (bytes: Uint8Array): boolean =>
  bytes.length >= 12 && new TextDecoder().decode(bytes.subarray(0, 8)) === magic

/**
 * Adds the statistics in `bytes` to `target` in place, histograms straight from their runs: the same
 * numbers as `Grouped.mergeInto(target, decode(bytes))`, in one shard's bytes of memory beside the total.
 * Throws `InvalidStatsJson` (damaged bytes), `UnknownGroup` or a layout mismatch. Returns `target`.
 */
export const mergeInto = (target: Grouped.Grouped, bytes: Uint8Array): Grouped.Grouped => {
  if (!isPacked(bytes)) throw damaged("no binary statistics signature")
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true)
  if (12 + length > bytes.length) throw damaged("truncated header")
  let meta: Array<GroupMeta>
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Array<GroupMeta>
  } catch {
    throw damaged("header is not JSON")
  }
  if (!Array.isArray(meta)) throw damaged("header is not a list of groups")
  const r = new Reader(bytes, 12 + length)
  let scratch = new Int32Array(1024)
  for (const m of meta) {
    const slash = m.key.lastIndexOf("/")
    const acc = Grouped.get(target, m.key.slice(0, slash), m.key.slice(slash + 1) as never)
    checkLayout(acc, m)
    const slots = Binning.slots(acc.binning)
    for (let b = 0; b < acc.names.length; b++) {
      const count = r.f64()
      const mean = r.f64()
      const m2 = r.f64()
      const min = r.f64()
      const max = r.f64()
      Accumulator.mergeBand(acc, b, count, mean, m2, min, max)
      const runs = r.varint()
      if (runs > slots) throw damaged(`${m.key} band ${b} has ${runs} runs for ${slots} slots`)
      if (scratch.length < runs) scratch = new Int32Array(Math.max(runs, 2 * scratch.length))
      // Counts only in the slots of the band's min..max (what readers of the total rely on).
      const [first, last] = occupiedSlots(acc.binning, slots, count, min, max)
      let slot = -1
      for (let i = 0; i < runs; i++) {
        slot += r.varint() + 1
        if (slot < first || slot > last)
          throw damaged(`${m.key} band ${b} slot ${slot} outside ${first}..${last} (its min..max)`)
        scratch[i] = slot
      }
      const h = acc.histogram
      const base = b * slots
      for (let i = 0; i < runs; i++) h[base + scratch[i]] += r.varint()
    }
  }
  if (r.at !== bytes.length) throw damaged(`${bytes.length - r.at} bytes after the last group`)
  return target
}

const checkLayout = (acc: Accumulator.Accumulator, m: GroupMeta): void => {
  const same =
    Array.isArray(m.names) &&
    m.names.length === acc.names.length &&
    m.dtype === acc.dtype &&
    Binning.equals(m.binning, acc.binning) &&
    acc.nodata.every((v, i) => Object.is(v ?? null, m.nodata[i]))
  if (!same) {
    throw new LayoutMismatch({
      detail: `${m.key}: ${JSON.stringify(m)} vs the store's ${JSON.stringify({ names: acc.names, dtype: acc.dtype, nodata: acc.nodata, binning: acc.binning })}`
    })
  }
}

/** Grouped statistics of the binary form and the products (see `mergeInto` for the errors). */
export const decode = (
  products: ReadonlyArray<Band.ProductSpec>,
  bytes: Uint8Array,
  options: Readonly<Record<string, Grouped.ProductOptions>> = {}
): Grouped.Grouped => mergeInto(Grouped.empty(products, options), bytes)
