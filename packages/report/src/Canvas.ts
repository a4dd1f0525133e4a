// An RGBA raster to draw figures on (maps, matrices, histograms, quicklooks) and its PNG encoding.
// Plain loops over a Uint8ClampedArray; colours are [r, g, b] 0–255 with an alpha 0–1 per stroke.
import pngjs from "pngjs"

/** An RGB colour, 0–255 per channel. */
export type Rgb = readonly [number, number, number]

/** A width × height RGBA image, row major. */
export interface Canvas {
  readonly width: number
  readonly height: number
  readonly data: Uint8ClampedArray
}

/** A canvas filled with one colour. */
export const make = (width: number, height: number, background: Rgb = [255, 255, 255]): Canvas => {
  const data = new Uint8ClampedArray(width * height * 4)
  for (let i = 0; i < data.length; i += 4) {
    data[i] = background[0]
    data[i + 1] = background[1]
    data[i + 2] = background[2]
    data[i + 3] = 255
  }
  return { width, height, data }
}

/** Blend a colour into one pixel (outside the canvas: nothing). */
export const plot = (c: Canvas, x: number, y: number, rgb: Rgb, alpha = 1): void => {
  x = Math.floor(x)
  y = Math.floor(y)
  if (x < 0 || y < 0 || x >= c.width || y >= c.height) return
  const i = (y * c.width + x) * 4
  const d = c.data
  d[i] = d[i] + (rgb[0] - d[i]) * alpha
  d[i + 1] = d[i + 1] + (rgb[1] - d[i + 1]) * alpha
  d[i + 2] = d[i + 2] + (rgb[2] - d[i + 2]) * alpha
}

/** Fill an axis-aligned rectangle (pixel units, clipped). */
export const fillRect = (
  c: Canvas,
  x: number,
  y: number,
  w: number,
  h: number,
  rgb: Rgb,
  alpha = 1
): void => {
  const x0 = Math.max(0, Math.floor(x))
  const y0 = Math.max(0, Math.floor(y))
  const x1 = Math.min(c.width, Math.ceil(x + w))
  const y1 = Math.min(c.height, Math.ceil(y + h))
  for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) plot(c, xx, yy, rgb, alpha)
}

/** A straight line (DDA, one pixel wide); long off-canvas segments are skipped, not walked. */
export const line = (
  c: Canvas,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  rgb: Rgb,
  alpha = 1
): void => {
  if (![x0, y0, x1, y1].every(Number.isFinite)) return
  if (
    (x0 < 0 && x1 < 0) ||
    (y0 < 0 && y1 < 0) ||
    (x0 >= c.width && x1 >= c.width) ||
    (y0 >= c.height && y1 >= c.height)
  )
    return
  const steps = Math.min(
    4 * (c.width + c.height),
    Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)))
  )
  if (steps === 0) return plot(c, x0, y0, rgb, alpha)
  for (let s = 0; s <= steps; s++) {
    plot(c, x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, rgb, alpha)
  }
}

/** A closed outline through the points. */
export const polygon = (
  c: Canvas,
  points: ReadonlyArray<readonly [number, number]>,
  rgb: Rgb,
  alpha = 1
): void => {
  for (let i = 0; i < points.length; i++) {
    const a = points[i]
    const b = points[(i + 1) % points.length]
    line(c, a[0], a[1], b[0], b[1], rgb, alpha)
  }
}

/** A filled disc of radius r pixels. */
export const disc = (c: Canvas, x: number, y: number, r: number, rgb: Rgb, alpha = 1): void => {
  const r2 = r * r
  for (let dy = -Math.ceil(r); dy <= Math.ceil(r); dy++) {
    for (let dx = -Math.ceil(r); dx <= Math.ceil(r); dx++) {
      if (dx * dx + dy * dy <= r2) plot(c, x + dx, y + dy, rgb, alpha)
    }
  }
}

/** Copy an RGBA tile (width × height) onto the canvas at (x, y), scaled by an integer factor. */
export const blit = (c: Canvas, tile: Canvas, x: number, y: number, scale = 1): void => {
  for (let ty = 0; ty < tile.height * scale; ty++) {
    for (let tx = 0; tx < tile.width * scale; tx++) {
      const cx = x + tx
      const cy = y + ty
      if (cx < 0 || cy < 0 || cx >= c.width || cy >= c.height) continue
      const s = (Math.floor(ty / scale) * tile.width + Math.floor(tx / scale)) * 4
      const d = (cy * c.width + cx) * 4
      c.data[d] = tile.data[s]
      c.data[d + 1] = tile.data[s + 1]
      c.data[d + 2] = tile.data[s + 2]
      c.data[d + 3] = 255
    }
  }
}

/** The PNG bytes of a canvas (8-bit RGBA, pngjs with adaptive filtering). */
export const toPng = (c: Canvas): Uint8Array => {
  const png = new pngjs.PNG({ width: c.width, height: c.height })
  png.data = Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength)
  return new Uint8Array(pngjs.PNG.sync.write(png))
}

/** Decode PNG bytes (tests and tools reading figures back). */
export const fromPng = (bytes: Uint8Array): Canvas => {
  const png = pngjs.PNG.sync.read(Buffer.from(bytes))
  return { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) }
}
