// A chip's validity mask (1 where a pixel holds data): clearing it from a read's mask, counting it, and
// writing the nodata value where it is clear. Plain functions: loops inside Effect generators stay slow.
import type { DType } from "@eoforge/core"

/** `valid[i] = 0` wherever `mask[i] === 0`, for i < n. */
export const clearMasked = (valid: Uint8Array, mask: Uint8Array, n: number): void => {
  let i = 0
  if (mask.byteOffset % 4 === 0) {
    // Four mask bytes at a time; most words have no zero byte (a zero byte borrows in w − 0x01010101
    // and keeps its top bit clear in ~w), and only the others are looked at byte by byte.
    const words = new Uint32Array(mask.buffer, mask.byteOffset, n >> 2)
    for (let k = 0; k < words.length; k++) {
      const w = words[k]
      if (((w - 0x01010101) & ~w & 0x80808080) === 0) continue
      const at = k << 2
      if (mask[at] === 0) valid[at] = 0
      if (mask[at + 1] === 0) valid[at + 1] = 0
      if (mask[at + 2] === 0) valid[at + 2] = 0
      if (mask[at + 3] === 0) valid[at + 3] = 0
    }
    i = words.length << 2
  }
  for (; i < n; i++) if (mask[i] === 0) valid[i] = 0
}

/** The sum of `valid[0 … n − 1]` (the pixels with data when it holds 0 and 1). */
export const countValid = (valid: Uint8Array, n: number): number => {
  let count = 0
  for (let i = 0; i < n; i++) count += valid[i]
  return count
}

/** `out[offset + i] = fill` wherever `valid[i] === 0`, for i < n. */
export const fillInvalid = (
  out: DType.TypedArray,
  offset: number,
  valid: Uint8Array,
  n: number,
  fill: number
): void => {
  for (let i = 0; i < n; i++) if (valid[i] === 0) out[offset + i] = fill
}
