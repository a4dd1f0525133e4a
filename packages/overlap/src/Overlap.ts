// The exact overlap of two patch footprints in metres: both quads are projected onto the plane tangent to
// the WGS 84 ellipsoid at their midpoint and clipped; correct across zone seams, the antimeridian and poles.
import type { Patch } from "@eoforge/core"
import { Schema } from "effect"
import * as Footprints from "./internal/footprints.ts"

/** A patch whose footprint is not four finite (lon, lat) corners with latitudes in [-90, 90]. */
export class InvalidFootprintError extends Schema.TaggedError<InvalidFootprintError>()(
  "InvalidFootprintError",
  { patch: Schema.String, footprint: Schema.String }
) {
  override get message(): string {
    return `patch ${this.patch} has an invalid footprint ${this.footprint}: give four distinct (lon, lat) corners in degrees (upper-left, upper-right, lower-right, lower-left), latitudes in [-90, 90], e.g. from PatchGeometry.make`
  }
}

/** Throws InvalidFootprintError naming the patch. */
const invalid = (patch: Patch.Patch): never => {
  throw new InvalidFootprintError({
    patch: String(patch.id),
    footprint: JSON.stringify(patch.footprint)
  })
}

const pair = new Float64Array(2 * Footprints.STRIDE)

const measure = (a: Patch.Patch, b: Patch.Patch): Float64Array => {
  if (!Footprints.write(pair, 0, a.footprint)) invalid(a)
  if (!Footprints.write(pair, 1, b.footprint)) invalid(b)
  Footprints.overlap(pair, 0, pair, 1)
  return Footprints.result
}

/** The area (m²) of the intersection of two footprints; 0 when they are disjoint. Symmetric. */
export const intersectionArea = (a: Patch.Patch, b: Patch.Patch): number => measure(a, b)[0]

/** The fraction of `a`'s area covered by `b`, in [0, 1] (1 for identical footprints). */
export const fraction = (a: Patch.Patch, b: Patch.Patch): number => {
  const r = measure(a, b)
  return r[0] === 0 ? 0 : Math.min(1, r[0] / r[1])
}

/** The ground area (m²) of a footprint, measured in its own tangent plane. */
export const area = (a: Patch.Patch): number => {
  if (!Footprints.write(pair, 0, a.footprint)) invalid(a)
  Footprints.overlap(pair, 0, pair, 0)
  return Footprints.result[1]
}

/**
 * Whether `a` counts as overlapping `b` by more than `maxOverlap` of `a`'s area: the rule the filters apply,
 * with a relative slack of 1e-9 so that footprints sharing an edge never collide through rounding.
 */
export const exceeds = (a: Patch.Patch, b: Patch.Patch, maxOverlap: number): boolean => {
  const r = measure(a, b)
  return r[0] > (maxOverlap + 1e-9) * r[1]
}
