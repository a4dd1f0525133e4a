// World coastlines from Natural Earth 1:110m land polygons (npm world-atlas, TopoJSON), decoded here:
// delta-encoded quantized arcs → rings of (lon, lat) degrees.
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"

/** A ring of (lon, lat) positions in degrees. */
export type Ring = ReadonlyArray<readonly [number, number]>

interface Topology {
  readonly transform: { readonly scale: [number, number]; readonly translate: [number, number] }
  readonly arcs: ReadonlyArray<ReadonlyArray<[number, number]>>
}

let cached: ReadonlyArray<Ring> | undefined

/**
 * Every arc of the Natural Earth 110m land topology as a polyline of (lon, lat) degrees. Arcs are the
 * coastlines themselves (each drawn once), which is all a map outline needs.
 */
export const land110m = (): ReadonlyArray<Ring> => {
  if (cached !== undefined) return cached
  const file = createRequire(import.meta.url).resolve("world-atlas/land-110m.json")
  const topo = JSON.parse(readFileSync(file, "utf8")) as Topology
  const [sx, sy] = topo.transform.scale
  const [tx, ty] = topo.transform.translate
  cached = topo.arcs.map((arc) => {
    let x = 0
    let y = 0
    return arc.map(([dx, dy]) => {
      x += dx
      y += dy
      return [x * sx + tx, y * sy + ty] as const
    })
  })
  return cached
}
