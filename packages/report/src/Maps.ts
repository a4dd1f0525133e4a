// The map figures: every sample on a world map (Natural Earth coastlines) coloured by split, and the
// densest area before and after overlap filtering, with patch outlines.
import * as Canvas from "./Canvas.ts"
import * as Coastlines from "./Coastlines.ts"

/** Colours of the splits by code (train, val, test) and of the guard zone. */
export const splitColours: Readonly<Record<number, Canvas.Rgb>> = {
  0: [31, 119, 180],
  1: [255, 127, 14],
  2: [44, 160, 44],
  255: [150, 150, 150]
}
/** Colour of rejected candidates. */
export const rejectedColour: Canvas.Rgb = [214, 39, 40]

const coastColour: Canvas.Rgb = [90, 90, 90]

/** An equirectangular world map (width = 2 × height) with coastlines and one dot per sample. */
export const world = (
  lon: ArrayLike<number>,
  lat: ArrayLike<number>,
  split: ArrayLike<number>,
  width = 1440
): Canvas.Canvas => {
  const height = width / 2
  const c = Canvas.make(width, height, [246, 249, 252])
  const px = (x: number) => ((x + 180) / 360) * width
  const py = (y: number) => ((90 - y) / 180) * height
  for (let g = -180; g <= 180; g += 30) Canvas.line(c, px(g), 0, px(g), height, [225, 230, 236])
  for (let g = -90; g <= 90; g += 30) Canvas.line(c, 0, py(g), width, py(g), [225, 230, 236])
  for (const ring of Coastlines.land110m()) {
    for (let i = 1; i < ring.length; i++) {
      const [x0, y0] = ring[i - 1]
      const [x1, y1] = ring[i]
      if (Math.abs(x1 - x0) > 180) continue
      Canvas.line(c, px(x0), py(y0), px(x1), py(y1), coastColour)
    }
  }
  const r = width >= 1000 ? 1.6 : 1.2
  // Guard first, so split samples stay visible on top.
  for (const code of [255, 0, 1, 2]) {
    const colour = splitColours[code]
    for (let i = 0; i < lon.length; i++) {
      const s = split[i] === 0 || split[i] === 1 || split[i] === 2 ? split[i] : 255
      if (s !== code || !Number.isFinite(lon[i]) || !Number.isFinite(lat[i])) continue
      Canvas.disc(c, px(lon[i]), py(lat[i]), r, colour, 0.85)
    }
  }
  return c
}

/** The area the zoomed map shows: centre (degrees) and half side (metres). */
export interface Area {
  readonly lon: number
  readonly lat: number
  readonly halfM: number
  /** Candidates (accepted + rejected) inside the densest bin. */
  readonly count: number
}

const mPerDegLat = 110_574
const mPerDegLon = (lat: number) => 111_320 * Math.cos((lat * Math.PI) / 180)

/**
 * The densest area: bins of 20 patch sides in a local plate carrée; around the bin holding most
 * candidates, centred on the candidates of it and its neighbours, as wide as they spread (≤ 3 bins).
 */
export const densest = (
  lon: ArrayLike<number>,
  lat: ArrayLike<number>,
  patchM: number
): Area | undefined => {
  const bin = 20 * patchM
  const cellOf = (i: number): readonly [number, number] => {
    const by = Math.floor((lat[i] * mPerDegLat) / bin)
    return [Math.floor((lon[i] * mPerDegLon((by + 0.5) * (bin / mPerDegLat))) / bin), by]
  }
  const ok = (i: number) => Number.isFinite(lon[i]) && Number.isFinite(lat[i])
  const counts = new Map<string, number>()
  let best: { n: number; cell: readonly [number, number] } | undefined
  for (let i = 0; i < lon.length; i++) {
    if (!ok(i)) continue
    const cell = cellOf(i)
    const key = `${cell[0]}/${cell[1]}`
    const n = (counts.get(key) ?? 0) + 1
    counts.set(key, n)
    if (best === undefined || n > best.n) best = { n, cell }
  }
  if (best === undefined) return undefined
  // The densest cell and its eight neighbours: a cluster straddling a cell edge is shown whole.
  const near = (i: number) => {
    const [bx, by] = cellOf(i)
    return Math.abs(bx - best.cell[0]) <= 1 && Math.abs(by - best.cell[1]) <= 1
  }
  let n = 0
  let sx = 0
  let sy = 0
  for (let i = 0; i < lon.length; i++) {
    if (!ok(i) || !near(i)) continue
    n++
    sx += lon[i]
    sy += lat[i]
  }
  const c = { lon: sx / n, lat: sy / n }
  let spread = 0
  for (let i = 0; i < lon.length; i++) {
    if (!ok(i) || !near(i)) continue
    spread = Math.max(
      spread,
      Math.abs((lon[i] - c.lon) * mPerDegLon(c.lat)),
      Math.abs((lat[i] - c.lat) * mPerDegLat)
    )
  }
  return { ...c, halfM: Math.min(1.5 * bin, 1.05 * spread + patchM), count: best.n }
}

/**
 * One panel of the zoomed map: patch outlines (squares of `patchM` metres around each centre, drawn
 * north-up: the UTM grid's small rotation is not shown) filled by class colour.
 */
export const zoom = (
  area: Area,
  patchM: number,
  layers: ReadonlyArray<{
    readonly lon: ArrayLike<number>
    readonly lat: ArrayLike<number>
    readonly colour: (i: number) => Canvas.Rgb | undefined
  }>,
  size = 640
): Canvas.Canvas => {
  const c = Canvas.make(size, size, [250, 250, 250])
  const scale = size / (2 * area.halfM)
  const kx = mPerDegLon(area.lat)
  const toPx = (lo: number, la: number): readonly [number, number] => {
    let d = lo - area.lon
    if (d > 180) d -= 360
    if (d < -180) d += 360
    return [size / 2 + d * kx * scale, size / 2 - (la - area.lat) * mPerDegLat * scale]
  }
  for (const ring of Coastlines.land110m()) {
    for (let i = 1; i < ring.length; i++) {
      const a = toPx(ring[i - 1][0], ring[i - 1][1])
      const b = toPx(ring[i][0], ring[i][1])
      if (Math.abs(a[0] - b[0]) > 4 * size) continue
      Canvas.line(c, a[0], a[1], b[0], b[1], coastColour)
    }
  }
  const h = (patchM / 2) * scale
  for (const layer of layers) {
    for (let i = 0; i < layer.lon.length; i++) {
      const colour = layer.colour(i)
      if (colour === undefined || !Number.isFinite(layer.lon[i])) continue
      const [x, y] = toPx(layer.lon[i], layer.lat[i])
      if (x < -h || y < -h || x > size + h || y > size + h) continue
      Canvas.fillRect(c, x - h, y - h, 2 * h, 2 * h, colour, 0.25)
      Canvas.polygon(
        c,
        [
          [x - h, y - h],
          [x + h, y - h],
          [x + h, y + h],
          [x - h, y + h]
        ],
        colour,
        0.9
      )
    }
  }
  return c
}
