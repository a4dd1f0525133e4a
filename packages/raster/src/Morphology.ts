// Binary morphology on a chip's pixel grid: dilation of a 0/1 mask by a disk of a radius in metres.
// Pixel j lies in the disk of pixel i when the distance between their centres is at most the radius.

/**
 * The disk's half-widths by row offset: for |dy| ≤ R, the largest dx with dx² + dy² ≤ (radius ÷ pixel)²
 * (pixel-centre distance, metres ÷ metres per pixel); empty for a radius below one pixel but ≥ 0 (only the
 * pixel itself).
 */
export const diskHalfWidths = (radiusM: number, pixelM: number): ReadonlyArray<number> => {
  const q = (radiusM / pixelM) ** 2
  // A hair of tolerance: 30 m ÷ 10 m must give exactly 3 pixels, whatever the float rounding.
  const limit = q * (1 + 1e-12) + 1e-12
  const R = Math.floor(Math.sqrt(limit))
  const out: Array<number> = []
  for (let dy = -R; dy <= R; dy++) out.push(Math.floor(Math.sqrt(Math.max(0, limit - dy * dy))))
  return out
}

/**
 * `mask` (row-major `width` × `height`, non-zero = set) dilated by a disk of `radiusM` metres on a grid of
 * `pixelM` metres: a pixel is set when any set pixel's centre lies within `radiusM` of its own. A radius of
 * 0 returns a copy. Each output row ORs the disk's rows of horizontally dilated input rows, found with
 * prefix sums: O(width × height × (2R + 1)) for a radius of R pixels.
 */
export const dilateDisk = (
  mask: Uint8Array,
  width: number,
  height: number,
  radiusM: number,
  pixelM: number
): Uint8Array => {
  if (!(radiusM > 0)) return Uint8Array.from(mask, (v) => (v === 0 ? 0 : 1))
  const half = diskHalfWidths(radiusM, pixelM)
  const R = (half.length - 1) / 2
  // Prefix sums of set pixels per row: row r, columns [a, b] hold a set pixel when sum(b + 1) > sum(a).
  const prefix = new Int32Array(height * (width + 1))
  for (let r = 0; r < height; r++) {
    const base = r * (width + 1)
    for (let c = 0; c < width; c++)
      prefix[base + c + 1] = prefix[base + c] + (mask[r * width + c] === 0 ? 0 : 1)
  }
  const out = new Uint8Array(width * height)
  for (let r = 0; r < height; r++) {
    for (let k = 0; k < half.length; k++) {
      const src = r + k - R
      if (src < 0 || src >= height) continue
      const base = src * (width + 1)
      if (prefix[base + width] === 0) continue
      const h = half[k]
      for (let c = 0; c < width; c++) {
        if (out[r * width + c] === 1) continue
        const a = c - h < 0 ? 0 : c - h
        const b = c + h >= width ? width - 1 : c + h
        if (prefix[base + b + 1] > prefix[base + a]) out[r * width + c] = 1
      }
    }
  }
  return out
}
