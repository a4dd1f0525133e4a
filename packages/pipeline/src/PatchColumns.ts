// Accepted patches as columns of typed arrays in fixed blocks (centre, zone, grid origin): 36 bytes a patch,
// growing without copies; patch i is rebuilt from its row exactly as planning made it.
import type { Patch } from "@eoforge/core"
import { Crs } from "@eoforge/core"
import { PatchGeometry, Zone } from "@eoforge/grid"

/** Rows per block (2 MiB of each float64 column); a power of two, SHIFT its log2. */
const SHIFT = 18
const BLOCK = 1 << SHIFT

/** The names of the float64 columns, in plan-file order. */
export const floatColumns = ["lon", "lat", "x0", "y0"] as const

/** One float64 column. */
export type FloatColumn = (typeof floatColumns)[number]

/**
 * The patch of a row: grid from zone and origin, footprint from the grid's corners (as `PatchGeometry.make`
 * and `Tiling.tiles` make them), id from the grid.
 */
export const rebuild = (
  size: number,
  resolution: number,
  code: number,
  x0: number,
  y0: number,
  lon: number,
  lat: number
): Patch.Patch => {
  const n = Math.round(size / resolution)
  const grid = { crs: Crs.epsg(code), x0, y0, resolution, width: n, height: n }
  return {
    id: PatchGeometry.id(grid),
    lon,
    lat,
    grid,
    footprint: [
      Zone.inverse(code, x0, y0),
      Zone.inverse(code, x0 + size, y0),
      Zone.inverse(code, x0 + size, y0 - size),
      Zone.inverse(code, x0, y0 - size)
    ]
  }
}

/** Growable columns of patches of one side and resolution. */
export class PatchColumns {
  /** Patch side, metres. */
  readonly size: number
  /** Pixel size, metres. */
  readonly resolution: number
  /** Number of rows. */
  length = 0
  private readonly floats: Record<FloatColumn, Array<Float64Array>> = {
    lon: [],
    lat: [],
    x0: [],
    y0: []
  }
  private readonly codes: Array<Uint32Array> = []

  constructor(size: number, resolution: number) {
    this.size = size
    this.resolution = resolution
  }

  /** Appends a patch; a RangeError when its grid is not `size` metres at `resolution` in an EPSG zone. */
  push(patch: Patch.Patch): void {
    const g = patch.grid
    const code = Crs.epsgCode(g.crs)
    if (
      g.resolution !== this.resolution ||
      g.width * g.resolution !== this.size ||
      code === undefined
    ) {
      throw new RangeError(
        `patch ${patch.id} differs from the plan's ${this.size} m / ${this.resolution} m grid`
      )
    }
    const i = this.length++
    const b = i >>> SHIFT
    if (b === this.codes.length) {
      for (const name of floatColumns) this.floats[name].push(new Float64Array(BLOCK))
      this.codes.push(new Uint32Array(BLOCK))
    }
    const o = i & (BLOCK - 1)
    this.floats.lon[b][o] = patch.lon
    this.floats.lat[b][o] = patch.lat
    this.floats.x0[b][o] = g.x0
    this.floats.y0[b][o] = g.y0
    this.codes[b][o] = code
  }

  /** Value of float column `name` at row i. */
  get(name: FloatColumn, i: number): number {
    return this.floats[name][i >>> SHIFT][i & (BLOCK - 1)]
  }

  /** EPSG code of row i's zone. */
  epsg(i: number): number {
    return this.codes[i >>> SHIFT][i & (BLOCK - 1)]
  }

  /** Patch i, rebuilt (undefined outside the rows). */
  at(i: number): Patch.Patch | undefined {
    if (!(i >= 0 && i < this.length)) return undefined
    const b = i >>> SHIFT
    const o = i & (BLOCK - 1)
    const f = this.floats
    return rebuild(
      this.size,
      this.resolution,
      this.codes[b][o],
      f.x0[b][o],
      f.y0[b][o],
      f.lon[b][o],
      f.lat[b][o]
    )
  }

  /** The id of patch i, from its grid alone. */
  id(i: number): string {
    const n = Math.round(this.size / this.resolution)
    const code = this.epsg(i)
    const grid = { crs: Crs.epsg(code), x0: this.get("x0", i), y0: this.get("y0", i) }
    return PatchGeometry.id({ ...grid, resolution: this.resolution, width: n, height: n })
  }

  /** A float column as one contiguous array (a copy). */
  column(name: FloatColumn): Float64Array {
    const out = new Float64Array(this.length)
    this.floats[name].forEach((block, b) => {
      const from = b << SHIFT
      out.set(block.subarray(0, Math.min(BLOCK, this.length - from)), from)
    })
    return out
  }

  /** The bytes of a column (little-endian on every platform EOForge runs on), as views on its blocks. */
  chunks(name: FloatColumn | "epsg"): Array<Uint8Array> {
    const blocks: ReadonlyArray<Float64Array | Uint32Array> =
      name === "epsg" ? this.codes : this.floats[name]
    return blocks.map((block, b) => {
      const rows = Math.min(BLOCK, this.length - (b << SHIFT))
      return new Uint8Array(block.buffer, block.byteOffset, rows * block.BYTES_PER_ELEMENT)
    })
  }

  /**
   * The rows as a read-only array of patches, each rebuilt on access (nothing is kept): indexing, `length`,
   * iteration and the array methods work as on an array.
   */
  view(): ReadonlyArray<Patch.Patch> {
    return new Proxy([] as Array<Patch.Patch>, {
      get: (target, key, receiver) => {
        if (key === "length") return this.length
        if (typeof key === "string") {
          const i = Number(key)
          if (Number.isInteger(i) && String(i) === key) return this.at(i)
        }
        return Reflect.get(target, key, receiver) as unknown
      },
      has: (target, key) => {
        if (typeof key === "string") {
          const i = Number(key)
          if (Number.isInteger(i) && String(i) === key) return i >= 0 && i < this.length
        }
        return Reflect.has(target, key)
      },
      set: () => false,
      deleteProperty: () => false
    })
  }
}
