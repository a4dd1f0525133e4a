// The EPSG and ESRI definition database (npm epsg-index: one JSON file per code, read on first use) and the
// datum shifts to WGS 84 PROJ picks without grid files (datumShifts.json, tools/crs/make-datum-shifts.py).
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"

/** One CRS of the database: its name, proj4 string and WKT1 (with its AUTHORITY). */
export interface Entry {
  readonly name: string
  readonly proj4: string
  readonly wkt: string
}

const require = createRequire(import.meta.url)
const entries = new Map<string, Entry | undefined>()
let folder: string | undefined

/** The database entry of `authority:code` (EPSG or ESRI), or undefined when the code is unknown. */
export const lookup = (authority: string, code: number): Entry | undefined => {
  const key = `${authority}:${code}`
  if (entries.has(key)) return entries.get(key)
  let entry: Entry | undefined
  if ((authority === "EPSG" || authority === "ESRI") && Number.isInteger(code) && code > 0) {
    folder ??= require.resolve("epsg-index/all.json").replace(/all\.json$/, "s/")
    try {
      const raw = JSON.parse(readFileSync(`${folder}${code}.json`, "utf8")) as Partial<Entry>
      const wkt = raw.wkt ?? ""
      // epsg-index shares one namespace between EPSG and ESRI codes; the WKT's last AUTHORITY tells which.
      const owner = /AUTHORITY\["(\w+)","\d+"\]\]$/.exec(wkt)?.[1] ?? "EPSG"
      if (owner === authority && typeof raw.proj4 === "string" && raw.proj4.length > 0)
        entry = { name: raw.name ?? key, proj4: raw.proj4, wkt }
    } catch {
      entry = undefined
    }
  }
  entries.set(key, entry)
  return entry
}

/** The EPSG code of the geographic CRS a WKT1 text is based on (its GEOGCS's own AUTHORITY), if given. */
export const baseGeographic = (wkt: string): number | undefined => {
  const start = wkt.indexOf("GEOGCS[")
  if (start < 0) return undefined
  let depth = 0
  for (let i = start + 6; i < wkt.length; i++) {
    const ch = wkt[i]
    if (ch === "[") depth++
    else if (ch === "]" && --depth === 0) {
      const m = /AUTHORITY\["EPSG","(\d+)"\]\]$/.exec(wkt.slice(start, i + 1))
      return m === null ? undefined : Number(m[1])
    }
  }
  return undefined
}

/** One candidate operation from a geographic CRS to WGS 84, in PROJ's order. */
interface Operation {
  readonly op: string
  readonly name: string
  readonly accuracy: number | null
  readonly bbox: readonly [number, number, number, number]
  readonly towgs84?: ReadonlyArray<number>
  readonly grid?: string
  readonly available?: boolean
  readonly unsupported?: string
  readonly offshore?: boolean
}

let shifts:
  { readonly proj: string; readonly crs: Record<string, ReadonlyArray<Operation>> } | undefined

const table = () => {
  shifts ??= JSON.parse(
    readFileSync(new URL("./datumShifts.json", import.meta.url), "utf8")
  ) as never
  return shifts!
}

/** The datum shift applied to a geographic CRS at a point, and what it means for agreement with GDAL. */
export interface Shift {
  /** proj4 towgs84 values (x, y, z m; rx, ry, rz arc-seconds position vector; scale ppm). */
  readonly towgs84: ReadonlyArray<number>
  /** What was applied and, where PROJ would do better with a grid, which grid. */
  readonly note: string
}

/** An area of interest: west, south, east, north in degrees. */
export type Bbox = readonly [number, number, number, number]

const overlap = (b: Operation["bbox"], aoi: Bbox): number => {
  const spans = (bb: Bbox): ReadonlyArray<readonly [number, number]> =>
    bb[0] <= bb[2]
      ? [[bb[0], bb[2]]]
      : [
          [bb[0], 180],
          [-180, bb[2]]
        ]
  const h = Math.max(0, Math.min(b[3], aoi[3]) - Math.max(b[1], aoi[1]))
  let w = 0
  for (const [a0, a1] of spans(b))
    for (const [c0, c1] of spans(aoi)) w += Math.max(0, Math.min(a1, c1) - Math.max(a0, c0))
  return w * h
}

/**
 * The candidates as PROJ orders them when GDAL gives it an area of interest (gdalwarp: the source raster's
 * extent): those intersecting it, larger intersection first, then better accuracy.
 */
const byAreaOfInterest = (ops: ReadonlyArray<Operation>, aoi: Bbox): ReadonlyArray<Operation> =>
  ops
    .map((op) => ({ op, inter: overlap(op.bbox, aoi) }))
    .filter((x) => x.inter > 0)
    .sort((a, b) => b.inter - a.inter || (a.op.accuracy ?? Infinity) - (b.op.accuracy ?? Infinity))
    .map((x) => x.op)

const contains = (b: Operation["bbox"], lon: number, lat: number) =>
  lat >= b[1] &&
  lat <= b[3] &&
  (b[0] <= b[2] ? lon >= b[0] && lon <= b[2] : lon >= b[0] || lon <= b[2])

const area = (b: Operation["bbox"]) =>
  (b[3] - b[1]) * (b[0] <= b[2] ? b[2] - b[0] : 360 - b[0] + b[2])

/**
 * The operation PROJ's proj_trans picks for a point (lon, lat in degrees on the source datum) among those
 * needing no missing grid: the smallest accuracy whose area contains the point, ties to the smallest area; an
 * offshore-only area never displaces a choice. Undefined when the geographic CRS has no known operation.
 */
export const datumShift = (
  geographic: number,
  lon: number,
  lat: number,
  aoi?: Bbox
): Shift | undefined => {
  const all = table().crs[String(geographic)]
  if (all === undefined) return undefined
  const ops = aoi === undefined ? all : byAreaOfInterest(all, aoi)
  let best: Operation | undefined
  let betterGrid: Operation | undefined
  for (const op of ops) {
    if (!contains(op.bbox, lon, lat)) continue
    if (op.grid !== undefined && op.available !== true) {
      if (betterGrid === undefined || (op.accuracy ?? Infinity) < (betterGrid.accuracy ?? Infinity))
        betterGrid = op
      continue
    }
    const acc = op.accuracy ?? Infinity
    const bestAcc = best?.accuracy ?? Infinity
    if (
      best === undefined ||
      (op.offshore !== true &&
        (acc < bestAcc || (acc === bestAcc && area(op.bbox) < area(best.bbox))))
    )
      best = op
  }
  const gridNote =
    betterGrid !== undefined &&
    (best === undefined || (betterGrid.accuracy ?? Infinity) < (best.accuracy ?? Infinity))
      ? `; with the grid ${betterGrid.grid} installed PROJ would apply ${betterGrid.op} (${betterGrid.name}, ${betterGrid.accuracy ?? "unknown"} m) instead`
      : ""
  if (best === undefined)
    return {
      towgs84: [0, 0, 0, 0, 0, 0, 0],
      note: `no EPSG:${geographic} to WGS 84 transformation covers (${lon.toFixed(3)}, ${lat.toFixed(3)}): ballpark (ellipsoid change only, errors up to hundreds of metres)${gridNote}`
    }
  if (best.towgs84 === undefined)
    return {
      towgs84: [0, 0, 0, 0, 0, 0, 0],
      note: `PROJ applies ${best.op} (${best.name}), which needs ${best.grid ?? best.unsupported}; this reader cannot, so the chip differs from GDAL's by up to the shift itself`
    }
  return {
    towgs84: best.towgs84,
    note: `${best.op} (${best.name}, accuracy ${best.accuracy ?? "unknown"} m)${gridNote}`
  }
}

/** Where to choose a datum shift when no location is given: the centre of PROJ's first operation's area. */
export const defaultNear = (geographic: number): { lon: number; lat: number } | undefined => {
  const first = table().crs[String(geographic)]?.[0]
  if (first === undefined) return undefined
  const [w, s, e, n] = first.bbox
  const lon = w <= e ? (w + e) / 2 : (((w + e + 360) / 2 + 180) % 360) - 180
  return { lon, lat: (s + n) / 2 }
}
