// TIFF horizontal differencing (predictor 2) undone in place, one loop per sample width so that V8 keeps each
// element access monomorphic, and only over the rows and leading columns a read needs.

/** Sample arrays predictor 2 applies to (8, 16 and 32-bit samples). */
export type PredictedArray = Uint8Array | Uint16Array | Uint32Array

// 16-bit samples one per pixel are summed two at a time through a 32-bit view (little-endian hosts only).
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Undoes TIFF horizontal differencing (predictor 2) in place on the first `rows` rows of `values`. */
export const undoHorizontalPredictor = (
  values: PredictedArray,
  rowLength: number,
  rows: number,
  stride: number
): void => undoPredictorRows(values, rowLength, 0, rows, stride, rowLength, undefined)

/**
 * Undoes predictor 2 in place on rows [from, to) of `values` (rows of `rowLength` samples, `stride` samples a
 * pixel), each only up to its element `upTo` (whole pixels): a row's values are running sums, so every
 * element before the last one needed is summed and none after. `done[r]`, when given, is how many leading
 * elements of row r already hold values (they are skipped, the sum continues from them) and is raised to
 * `upTo`.
 */
export const undoPredictorRows = (
  values: PredictedArray,
  rowLength: number,
  from: number,
  to: number,
  stride: number,
  upTo: number,
  done: Int32Array | undefined
): void => {
  const end = Math.min(upTo, rowLength)
  if (values instanceof Uint16Array) rows16(values, rowLength, from, to, stride, end, done)
  else if (values instanceof Uint8Array) rows8(values, rowLength, from, to, stride, end, done)
  else rows32(values, rowLength, from, to, stride, end, done)
}

const rows16 = (
  v: Uint16Array,
  rowLength: number,
  from: number,
  to: number,
  stride: number,
  end: number,
  done: Int32Array | undefined
): void => {
  const pairs =
    littleEndian && stride === 1 && rowLength % 2 === 0 && v.byteOffset % 4 === 0
      ? new Uint32Array(v.buffer, v.byteOffset, v.length >> 1)
      : undefined
  for (let r = from; r < to; r++) {
    const start = done === undefined ? 0 : done[r]
    if (start >= end) continue
    const base = r * rowLength
    if (pairs !== undefined) pairs16(v, pairs, base + Math.max(start, 1), base + end)
    else {
      for (let lane = 0; lane < stride; lane++) {
        let i = firstOfLane(start, stride, lane)
        if (i >= end) continue
        i += base
        let acc = v[i - stride]
        for (const stop = base + end; i < stop; i += stride) {
          acc = (acc + v[i]) & 0xffff
          v[i] = acc
        }
      }
    }
    if (done !== undefined) done[r] = end
  }
}

// Elements [i, end) of a row of 16-bit samples, one a pixel (v[i - 1] holds a value): pairs of samples are
// summed in one 32-bit word, `w + (w << 16)` holding the pair's first difference and the sum of both, to which
// the running value is added in each half (the same sums mod 2^16 as one at a time).
const pairs16 = (v: Uint16Array, w: Uint32Array, i: number, end: number): void => {
  if (i >= end) return
  let acc = v[i - 1]
  if ((i & 1) !== 0) {
    acc = (acc + v[i]) & 0xffff
    v[i++] = acc
  }
  const kEnd = end >> 1
  for (let k = i >> 1; k < kEnd; k++) {
    const word = w[k]
    const s = (word + (word << 16)) | 0
    const lo = (acc + s) & 0xffff
    acc = (acc + (s >>> 16)) & 0xffff
    w[k] = lo | (acc << 16)
  }
  if ((end & 1) !== 0 && 2 * kEnd >= i) v[end - 1] = (acc + v[end - 1]) & 0xffff
}

// The first element at or after `start` of `lane` whose value is a difference (the first pixel's are values).
const firstOfLane = (start: number, stride: number, lane: number): number => {
  const first = Math.max(start, stride)
  return first + ((lane - (first % stride) + stride) % stride)
}

const rows8 = (
  v: Uint8Array,
  rowLength: number,
  from: number,
  to: number,
  stride: number,
  end: number,
  done: Int32Array | undefined
): void => {
  for (let r = from; r < to; r++) {
    const start = done === undefined ? 0 : done[r]
    if (start >= end) continue
    const base = r * rowLength
    for (let lane = 0; lane < stride; lane++) {
      let i = firstOfLane(start, stride, lane)
      if (i >= end) continue
      i += base
      let acc = v[i - stride]
      for (const stop = base + end; i < stop; i += stride) {
        acc = (acc + v[i]) & 0xff
        v[i] = acc
      }
    }
    if (done !== undefined) done[r] = end
  }
}

const rows32 = (
  v: Uint32Array,
  rowLength: number,
  from: number,
  to: number,
  stride: number,
  end: number,
  done: Int32Array | undefined
): void => {
  for (let r = from; r < to; r++) {
    const start = done === undefined ? 0 : done[r]
    if (start >= end) continue
    const base = r * rowLength
    for (let lane = 0; lane < stride; lane++) {
      let i = firstOfLane(start, stride, lane)
      if (i >= end) continue
      i += base
      let acc = v[i - stride]
      for (const stop = base + end; i < stop; i += stride) {
        acc = (acc + v[i]) >>> 0
        v[i] = acc
      }
    }
    if (done !== undefined) done[r] = end
  }
}
