// Band values into a product's stored dtype: as read (rounded half away from zero and clamped for integers),
// in decibels, or through a linear radiometric map in the same pass (no float array in between).
import { DType } from "@eoforge/core"
import * as Radiometry from "../Radiometry.ts"

/** Copy `src` into `dst` (another dtype allowed): integers are rounded half away from zero and clamped. */
export const convert = (
  src: DType.TypedArray,
  dst: DType.TypedArray,
  dstOffset: number,
  dtype: DType.DType,
  transform: "none" | "dB"
): void => {
  const n = src.length
  if (transform === "dB") {
    for (let i = 0; i < n; i++) {
      const v = src[i]
      dst[dstOffset + i] = v > 0 ? 10 * Math.log10(v) : NaN
    }
    return
  }
  if (DType.isFloat(dtype) || DType.of(src) === dtype) {
    dst.set(src, dstOffset)
    return
  }
  const [lo, hi] = DType.range(dtype)
  for (let i = 0; i < n; i++) {
    const v = src[i]
    const r = v < 0 ? -Math.round(-v) : Math.round(v)
    dst[dstOffset + i] = r < lo ? lo : r > hi ? hi : r
  }
}

/**
 * `convert(Radiometry.apply(src, map), dst, dstOffset, dtype, "none")` without the intermediate array: the
 * same double `a × v + b` per value, stored as `convert` stores a float64 array.
 */
export const convertLinear = (
  src: DType.TypedArray,
  map: { readonly a: number; readonly b: number },
  dst: DType.TypedArray,
  dstOffset: number,
  dtype: DType.DType
): void => {
  // Radiometry.apply's identity (the values themselves).
  if (Radiometry.isIdentity(map)) {
    convert(src, dst, dstOffset, dtype, "none")
    return
  }
  const { a, b } = map
  const n = src.length
  if (DType.isFloat(dtype)) {
    for (let i = 0; i < n; i++) dst[dstOffset + i] = a * (src[i] as number) + b
    return
  }
  const table = n >= minTableUse ? tableOf(src, map, dtype) : undefined
  if (table !== undefined) {
    lookUp(src, table, dst, dstOffset)
    return
  }
  const [lo, hi] = DType.range(dtype)
  for (let i = 0; i < n; i++) {
    const v = a * (src[i] as number) + b
    const r = v < 0 ? -Math.round(-v) : Math.round(v)
    dst[dstOffset + i] = r < lo ? lo : r > hi ? hi : r
  }
}

// 8- and 16-bit integer sources take few values: their stored value is looked up in a table made once per
// map and dtypes (by the loop above, hence the same values) instead of rounded per pixel.
const minTableUse = 1024
const maxTables = 16
const tables = new Map<string, DType.TypedArray>()

/** The first value of an 8- or 16-bit integer dtype (the table's index 0), undefined for the others. */
const tableStart = (dtype: DType.DType): number | undefined =>
  !DType.isFloat(dtype) && DType.byteSize(dtype) <= 2 ? DType.range(dtype)[0] : undefined

/** The stored value of every value of `src`'s dtype under `map`, or undefined for other sources. */
const tableOf = (
  src: DType.TypedArray,
  map: { readonly a: number; readonly b: number },
  dtype: DType.DType
): DType.TypedArray | undefined => {
  const from = DType.of(src)
  const start = tableStart(from)
  if (start === undefined) return undefined
  const key = `${from}>${dtype}:${map.a}:${map.b}`
  let table = tables.get(key)
  if (table === undefined) {
    const size = DType.byteSize(from) === 1 ? 256 : 65536
    const values = new Float64Array(size)
    for (let i = 0; i < size; i++) values[i] = start + i
    table = DType.alloc(dtype, size)
    convertLinear(values, map, table, 0, dtype)
    if (tables.size >= maxTables) tables.delete(tables.keys().next().value!)
    tables.set(key, table)
  }
  return table
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** `dst[dstOffset + i] = table[src[i] − start]`, with the usual pair (uint16 to uint16) monomorphic. */
const lookUp = (
  src: DType.TypedArray,
  table: DType.TypedArray,
  dst: DType.TypedArray,
  dstOffset: number
): void => {
  const n = src.length
  if (src instanceof Uint16Array && table instanceof Uint16Array && dst instanceof Uint16Array) {
    let i = 0
    // Two values per 32-bit load and store where both arrays line up (little-endian: the first value is
    // the low half of the word).
    const at = dst.byteOffset + 2 * dstOffset
    if (littleEndian && src.byteOffset % 4 === 0 && at % 4 === 0) {
      const pairs = n >> 1
      const from = new Uint32Array(src.buffer, src.byteOffset, pairs)
      const to = new Uint32Array(dst.buffer, at, pairs)
      for (let k = 0; k < pairs; k++) {
        const w = from[k]
        to[k] = table[w & 0xffff] | (table[w >>> 16] << 16)
      }
      i = pairs << 1
    }
    for (; i < n; i++) dst[dstOffset + i] = table[src[i]]
    return
  }
  const start = tableStart(DType.of(src))!
  for (let i = 0; i < n; i++) dst[dstOffset + i] = table[src[i] - start]
}
