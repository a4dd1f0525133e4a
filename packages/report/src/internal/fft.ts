// In-place radix-2 complex FFT over interleaved (re, im) Float64Arrays, and the 2-D transform built on
// it. Written here as the baseline fft.js is measured against (README, "Dependencies").

const tables = new Map<number, { readonly cos: Float64Array; readonly sin: Float64Array }>()

const twiddles = (n: number) => {
  let t = tables.get(n)
  if (t === undefined) {
    const cos = new Float64Array(n / 2)
    const sin = new Float64Array(n / 2)
    for (let i = 0; i < n / 2; i++) {
      cos[i] = Math.cos((2 * Math.PI * i) / n)
      sin[i] = Math.sin((2 * Math.PI * i) / n)
    }
    t = { cos, sin }
    tables.set(n, t)
  }
  return t
}

/** Whether n is a power of two ≥ 2. */
export const isPowerOfTwo = (n: number): boolean => n >= 2 && (n & (n - 1)) === 0

/** The smallest power of two ≥ n. */
export const nextPowerOfTwo = (n: number): number => {
  let p = 2
  while (p < n) p *= 2
  return p
}

/** Transform n complex values in place (interleaved re, im); inverse is unscaled. */
export const transform = (data: Float64Array, n: number, inverse: boolean): void => {
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1
    for (; j & bit; bit >>= 1) j ^= bit
    j ^= bit
    if (i < j) {
      let t = data[2 * i]
      data[2 * i] = data[2 * j]
      data[2 * j] = t
      t = data[2 * i + 1]
      data[2 * i + 1] = data[2 * j + 1]
      data[2 * j + 1] = t
    }
  }
  const { cos, sin } = twiddles(n)
  const sign = inverse ? 1 : -1
  for (let len = 2; len <= n; len *= 2) {
    const half = len / 2
    const step = n / len
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]
        const wi = sign * sin[k * step]
        const a = 2 * (i + k)
        const b = 2 * (i + k + half)
        const xr = data[b] * wr - data[b + 1] * wi
        const xi = data[b] * wi + data[b + 1] * wr
        data[b] = data[a] - xr
        data[b + 1] = data[a + 1] - xi
        data[a] += xr
        data[a + 1] += xi
      }
    }
  }
}

/** A 1-D complex transform of length n: input and output interleaved (re, im). */
export type Transform1D = (data: Float64Array, n: number, inverse: boolean) => void

/** 2-D transform of an n × n complex image (interleaved, row major) in place, rows then columns. */
export const transform2D = (
  data: Float64Array,
  n: number,
  inverse: boolean,
  oneD: Transform1D = transform
): void => {
  const line = new Float64Array(2 * n)
  for (let y = 0; y < n; y++) {
    const row = data.subarray(2 * y * n, 2 * (y + 1) * n)
    oneD(row, n, inverse)
  }
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) {
      line[2 * y] = data[2 * (y * n + x)]
      line[2 * y + 1] = data[2 * (y * n + x) + 1]
    }
    oneD(line, n, inverse)
    for (let y = 0; y < n; y++) {
      data[2 * (y * n + x)] = line[2 * y]
      data[2 * (y * n + x) + 1] = line[2 * y + 1]
    }
  }
}
