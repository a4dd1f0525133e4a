// What a split needs of a sample: a stable id and the (lon, lat) of its centre.
// A core Patch is a Sample; footprints are squares of a known side, bounded by their half-diagonal.

/** A sample to split: stable id and centre in degrees, WGS 84 (a core `Patch` qualifies). */
export interface Sample {
  /** Stable id (e.g. the patch id); random splits hash it. */
  readonly id: string
  /** Longitude of the centre, degrees east. */
  readonly lon: number
  /** Latitude of the centre, degrees north. */
  readonly lat: number
}

/** The default patch side in metres (SSL4EO-S12: 264 px at 10 m). */
export const defaultPatchSizeM = 2640

/** Radius in metres of the circle around the centre that holds a square footprint of side `sizeM`. */
export const footprintRadiusM = (sizeM: number): number => (sizeM * Math.SQRT2) / 2
