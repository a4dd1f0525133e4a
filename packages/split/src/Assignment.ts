// Fitting a split method once and assigning samples with the fitted parameters.
// The fitted form is plain JSON, recorded with the dataset, so appended samples reuse it unchanged.
import * as Banding from "./Banding.ts"
import * as Blocks from "./Blocks.ts"
import * as Proportions from "./Proportions.ts"
import * as RandomSplit from "./RandomSplit.ts"
import type { Sample } from "./Sample.ts"

/** A split recipe: the method and its parameters. */
export type Recipe =
  | ({ readonly method: "banding" } & Banding.Params)
  | ({ readonly method: "blocks" } & Blocks.Params)
  | ({ readonly method: "random" } & RandomSplit.Params)

/** Fitted parameters of any method (JSON). */
export type Fitted = Banding.Frame | Blocks.Fitted | RandomSplit.Fitted

/** The outcome of assigning a set of samples. */
export interface Result {
  /** Split code per sample, in input order: 0 train, 1 val, 2 test, 255 guard. */
  readonly codes: Uint8Array
  /** Samples per split, and dropped into the guard zone. */
  readonly counts: {
    readonly train: number
    readonly val: number
    readonly test: number
    readonly guard: number
  }
  /** Achieved fractions among samples in a split (guard excluded). */
  readonly proportions: Proportions.Proportions
  /** Largest |achieved − target| fraction. */
  readonly deviation: number
}

/** Fits a recipe on samples (banding frame/phase/pattern, block salt; random needs nothing). */
export const fit = (samples: ReadonlyArray<Sample>, recipe: Recipe): Fitted =>
  recipe.method === "banding"
    ? Banding.fit(samples, recipe)
    : recipe.method === "blocks"
      ? Blocks.fit(samples, recipe)
      : RandomSplit.fit(recipe)

/** Assigns every sample with fitted parameters and counts the outcome. */
export const assignAll = (fitted: Fitted, samples: ReadonlyArray<Sample>): Result => {
  const n = samples.length
  const lons = new Float64Array(fitted.method === "random" ? 0 : n)
  const lats = new Float64Array(fitted.method === "random" ? 0 : n)
  for (let i = 0; i < lons.length; i++) {
    lons[i] = samples[i].lon
    lats[i] = samples[i].lat
  }
  return assignColumns(fitted, { lon: lons, lat: lats, id: (i) => samples[i].id }, n)
}

/** Samples as columns: centres in degrees, and ids on demand (only random splits read them). */
export interface Columns {
  /** Longitude of each centre, degrees east (may be empty for a random split). */
  readonly lon: Float64Array
  /** Latitude of each centre, degrees north (may be empty for a random split). */
  readonly lat: Float64Array
  /** The stable id of sample i. */
  readonly id: (i: number) => string
}

const assignColumns = (fitted: Fitted, columns: Columns, n: number): Result => {
  let codes: Uint8Array
  if (fitted.method === "random") {
    codes = new Uint8Array(n)
    for (let i = 0; i < n; i++) codes[i] = RandomSplit.assign(fitted, columns.id(i))
  } else {
    codes =
      fitted.method === "banding"
        ? Banding.assignAll(fitted, columns.lon, columns.lat)
        : Blocks.assignAll(fitted, columns.lon, columns.lat)
  }
  const c = [0, 0, 0, 0]
  for (let i = 0; i < n; i++) c[codes[i] === 255 ? 3 : codes[i]]++
  const proportions = Proportions.of(c)
  return {
    codes,
    counts: { train: c[0], val: c[1], test: c[2], guard: c[3] },
    proportions,
    deviation: Proportions.deviation(proportions, fitted.proportions)
  }
}

/**
 * `run` over columns (`lon.length` samples): the same fit and codes as over the samples they hold, with no
 * object per sample — fitting reads the same every ⌈n / fitLimit⌉-th sample the array form reads.
 */
export const runColumns = (
  columns: Columns,
  recipe: Recipe
): { readonly fitted: Fitted } & Result => {
  const n = columns.lon.length
  const fitting: Array<Sample> = []
  if (recipe.method !== "random") {
    const stride = Math.ceil(n / (recipe.method === "banding" ? Banding.fitLimit : Blocks.fitLimit))
    for (let i = 0; i < n; i += stride)
      fitting.push({ id: "", lon: columns.lon[i], lat: columns.lat[i] })
  }
  const fitted = fit(fitting, recipe)
  return { fitted, ...assignColumns(fitted, columns, n) }
}

/** Fits on `samples` and assigns them: the usual first run. */
export const run = (
  samples: ReadonlyArray<Sample>,
  recipe: Recipe
): { readonly fitted: Fitted } & Result => {
  const fitted = fit(samples, recipe)
  return { fitted, ...assignAll(fitted, samples) }
}
