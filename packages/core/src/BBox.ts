// Axis-aligned bounding boxes in the units of some CRS.
// For geographic boxes x is longitude and y latitude in degrees; for projected ones, metres.
import { Schema } from "effect"

/** Schema of a bounding box: minX/minY/maxX/maxY in CRS units, x east, y north. */
export const BBox = Schema.Struct({
  minX: Schema.Finite,
  minY: Schema.Finite,
  maxX: Schema.Finite,
  maxY: Schema.Finite
})
/** A bounding box in CRS units. */
export type BBox = typeof BBox.Type

/** A box from its bounds. */
export const make = (minX: number, minY: number, maxX: number, maxY: number): BBox => ({
  minX,
  minY,
  maxX,
  maxY
})

/** Width in CRS units. */
export const width = (b: BBox): number => b.maxX - b.minX
/** Height in CRS units. */
export const height = (b: BBox): number => b.maxY - b.minY

/** Whether two boxes share interior area. */
export const intersects = (a: BBox, b: BBox): boolean =>
  a.minX < b.maxX && b.minX < a.maxX && a.minY < b.maxY && b.minY < a.maxY

/** The area of the intersection of two boxes, 0 if disjoint (CRS units squared). */
export const intersectionArea = (a: BBox, b: BBox): number => {
  const w = Math.min(a.maxX, b.maxX) - Math.max(a.minX, b.minX)
  const h = Math.min(a.maxY, b.maxY) - Math.max(a.minY, b.minY)
  return w > 0 && h > 0 ? w * h : 0
}

/** The smallest box holding both. */
export const union = (a: BBox, b: BBox): BBox =>
  make(
    Math.min(a.minX, b.minX),
    Math.min(a.minY, b.minY),
    Math.max(a.maxX, b.maxX),
    Math.max(a.maxY, b.maxY)
  )
