// The plan of a build: which patches, in which order, in which split. Pure and deterministic:
// the same recipe, seed and input files give the same plan, whatever the concurrency.
import { Split, type Patch } from "@eoforge/core"
import { PatchGeometry, Sampler, Tiling } from "@eoforge/grid"
import { OverlapFilter, SeamFill } from "@eoforge/overlap"
import { Assignment } from "@eoforge/split"
import { Schema } from "effect"
import { PatchColumns } from "./PatchColumns.ts"
import type { Recipe } from "./Recipe.ts"

/** Inputs the recipe refers to by file, already read. */
export interface PlanInputs {
  /** The AOI GeoJSON object (aoi and tiles samplers). */
  readonly aoi?: unknown
  /** The locations file text and its format (locations sampler). */
  readonly locations?: {
    readonly text: string
    readonly format: "csv" | "geojson"
    readonly file: string
  }
}

/** Counts of the sampling stage. */
export interface SamplingCounts {
  /** Candidates drawn. */
  readonly candidates: number
  /** Accepted by the overlap filter. */
  readonly accepted: number
  /** Rejected for overlapping an accepted patch by more than the threshold (and not added back by the seam rule). */
  readonly rejected: number
  /** The seam rule's work (`sampling.seam: least-overlap` only); its tiles are counted in `accepted`. */
  readonly seam?: SeamReport
}

/** What the seam rule added where zone lattices meet. */
export interface SeamReport {
  /** Tiles offered to it: the overlap filter's rejects plus the cells reaching across a seam (counted in `candidates`). */
  readonly candidates: number
  /** Tiles it added (the last `tiles` samples of the plan). */
  readonly tiles: number
  /** Of those, tiles the overlap filter had rejected. */
  readonly fromRejected: number
  /** Largest and mean share of an added tile's area covered by one other tile of the plan. */
  readonly maxOverlap: number
  readonly meanOverlap: number
}

/** The outcome of planning. */
export interface Plan {
  /** Accepted patches in acceptance order: sample i of the store is patches[i] (rebuilt from `columns`). */
  readonly patches: ReadonlyArray<Patch.Patch>
  /** The accepted patches as columns (what planning keeps: 36 bytes a patch). */
  readonly columns: PatchColumns
  /** Split code per patch (0 train, 1 val, 2 test, 255 guard). */
  readonly splits: Uint8Array
  /** The fitted split parameters (JSON), recorded in the store so appended samples reuse them. */
  readonly splitFit: Assignment.Fitted
  readonly sampling: SamplingCounts
  readonly splitCounts: Assignment.Result["counts"]
  /** The snap unit used, metres. */
  readonly snap: number
  /** Centres of the candidates the overlap filter rejected, in candidate order (the report's maps). */
  readonly rejected: { readonly lon: ReadonlyArray<number>; readonly lat: ReadonlyArray<number> }
}

/** Where a build records the rejected candidates (`eoforge report` draws them). */
export const rejectedKey = ".eoforge/rejected.json"

/** The bytes of the rejected-candidates record: centres rounded to 1e-6° (0.1 m). */
export const rejectedRecord = (plan: Plan): Uint8Array => {
  const round = (v: number) => Math.round(v * 1e6) / 1e6
  return new TextEncoder().encode(
    JSON.stringify({ lon: plan.rejected.lon.map(round), lat: plan.rejected.lat.map(round) }) + "\n"
  )
}

/** A sampler needs an input the recipe does not give. */
export class PlanInputError extends Schema.TaggedError<PlanInputError>()("PlanInputError", {
  sampler: Schema.String,
  key: Schema.String
}) {
  override get message(): string {
    return `sampler ${this.sampler} needs sampling.${this.key} in the recipe (a file path relative to the recipe)`
  }
}

/** The snap unit: the recipe's, else the coarsest product resolution, else the patch resolution. */
export const snapOf = (recipe: Recipe, productResolutions: ReadonlyArray<number>): number =>
  recipe.patch.snap ?? Math.max(recipe.patch.resolution, ...productResolutions)

const candidates = (
  recipe: Recipe,
  inputs: PlanInputs,
  snap: number
): Iterable<{ readonly lon: number; readonly lat: number }> => {
  const s = recipe.sampling
  const seed = recipe.seed
  switch (s.sampler) {
    case "cities":
      return Sampler.citiesGaussian({
        seed,
        topN: s.topN,
        sigmaKm: s.sigmaKm,
        weighting: s.weighting
      })
    case "sphere":
      return Sampler.uniformSphere({ seed })
    case "aoi":
      if (inputs.aoi === undefined) throw new PlanInputError({ sampler: "aoi", key: "aoi" })
      return Sampler.uniformInAoi({ seed, aoi: inputs.aoi })
    case "tiles":
      if (inputs.aoi === undefined) throw new PlanInputError({ sampler: "tiles", key: "aoi" })
      return Tiling.tiles(inputs.aoi, {
        size: recipe.patch.size,
        resolution: recipe.patch.resolution,
        snap,
        edge: s.edge
      })
    case "locations":
      if (inputs.locations === undefined) {
        throw new PlanInputError({ sampler: "locations", key: "locations" })
      }
      return Sampler.fromLocations(
        inputs.locations.text,
        inputs.locations.format,
        inputs.locations.file
      )
  }
}

/**
 * Draw candidates, make their patch grids, filter overlaps (streaming, greedy in candidate order) until
 * `count` patches are accepted or the candidate budget is spent, then assign splits.
 */
export const make = (
  recipe: Recipe,
  inputs: PlanInputs,
  productResolutions: ReadonlyArray<number>
): Plan => {
  const snap = snapOf(recipe, productResolutions)
  const { size, resolution } = recipe.patch
  PatchGeometry.validateSize(size, resolution, snap)
  const want = recipe.sampling.count ?? Infinity
  const budget =
    recipe.sampling.maxCandidates ?? (Number.isFinite(want) ? want * 20 : Number.MAX_SAFE_INTEGER)
  // Only columns of the accepted patches are kept; the filter recalls an accepted footprint from them.
  const columns = new PatchColumns(size, resolution)
  const filter = OverlapFilter.makeCompact({
    maxOverlap: recipe.overlap.maxOverlap,
    recall: (k) => columns.at(k)!.footprint
  })
  let drawn = 0
  const rejected = { lon: [] as Array<number>, lat: [] as Array<number> }
  const rejectedPatches: Array<Patch.Patch> = []
  for (const c of candidates(recipe, inputs, snap)) {
    if (drawn >= budget || columns.length >= want) break
    drawn++
    const patch =
      "grid" in c
        ? (c as Patch.Patch)
        : PatchGeometry.make({ lon: c.lon, lat: c.lat, size, resolution, snap })
    if (filter.offer(patch)) columns.push(patch)
    else {
      if (recipe.sampling.seam === "least-overlap") rejectedPatches.push(patch)
      rejected.lon.push(patch.lon)
      rejected.lat.push(patch.lat)
    }
  }
  let counts = { accepted: filter.counts().accepted, rejected: filter.counts().rejected }
  let seam: SeamReport | undefined
  // The seam rule runs once every tile has been offered: a count or budget cut leaves the tiling partial anyway.
  if (
    recipe.sampling.seam === "least-overlap" &&
    inputs.aoi !== undefined &&
    filter.counts().accepted < want &&
    drawn < budget
  ) {
    const spill = [
      ...Tiling.seamTiles(inputs.aoi, { size, resolution, snap, edge: recipe.sampling.edge })
    ]
    const offered = [...rejectedPatches, ...spill]
    // Seam rules serve tilings of an AOI: the accepted patches are few enough to materialise.
    const fill = SeamFill.fill(Array.from(columns.view()), offered)
    const added = fill.added.map((i) => offered[i])
    const back = new Set(fill.added.filter((i) => i < rejectedPatches.length))
    const o = [...fill.overlaps]
    seam = {
      candidates: offered.length,
      tiles: added.length,
      fromRejected: back.size,
      maxOverlap: o.length === 0 ? 0 : Math.max(...o),
      meanOverlap: o.length === 0 ? 0 : o.reduce((a, b) => a + b, 0) / o.length
    }
    for (const p of added) columns.push(p)
    // Every candidate ends accepted or rejected: spill cells the rule did not need count as rejected too.
    drawn += spill.length
    counts = { accepted: columns.length, rejected: drawn - columns.length }
    const taken = new Set(fill.added)
    const lon: Array<number> = []
    const lat: Array<number> = []
    offered.forEach((p, i) => {
      if (!taken.has(i)) {
        lon.push(p.lon)
        lat.push(p.lat)
      }
    })
    rejected.lon = lon
    rejected.lat = lat
  }
  const split = recipe.split
  const proportions = {
    train: split.proportions[0],
    val: split.proportions[1],
    test: split.proportions[2]
  }
  const guardKm = split.guardKm
  const common = { proportions, patchSizeM: size, ...(guardKm === undefined ? {} : { guardKm }) }
  const splitRecipe: Assignment.Recipe =
    split.method === "banding"
      ? {
          method: "banding",
          widthKm: split.bandKm ?? Math.max((size / 1000) * 4, 10),
          bearingDeg: split.bearingDeg,
          ...common
        }
      : split.method === "blocks"
        ? { method: "blocks", cellKm: split.blockKm, seed: recipe.seed, ...common }
        : { method: "random", seed: recipe.seed, proportions }
  const assigned =
    columns.length === 0
      ? undefined
      : Assignment.runColumns(
          { lon: columns.column("lon"), lat: columns.column("lat"), id: (i) => columns.id(i) },
          splitRecipe
        )
  return {
    patches: columns.view(),
    columns,
    splits: assigned?.codes ?? new Uint8Array(0),
    splitFit:
      assigned?.fitted ?? Assignment.fit([], { method: "random", seed: recipe.seed, proportions }),
    sampling: {
      candidates: drawn,
      accepted: counts.accepted,
      rejected: counts.rejected,
      ...(seam === undefined ? {} : { seam })
    },
    splitCounts: assigned?.counts ?? { train: 0, val: 0, test: 0, guard: 0 },
    snap,
    rejected
  }
}

/** The accepted patches as a GeoJSON FeatureCollection: footprint polygon, id, split, grid. */
export const toGeoJson = (plan: Plan) => ({
  type: "FeatureCollection" as const,
  features: plan.patches.map((p, i) => ({
    type: "Feature" as const,
    id: p.id,
    properties: {
      sample: i,
      id: p.id,
      split: Split.name(plan.splits[i]),
      epsg: p.grid.crs._tag === "Epsg" ? p.grid.crs.code : null,
      x0: p.grid.x0,
      y0: p.grid.y0,
      resolution: p.grid.resolution,
      width: p.grid.width,
      height: p.grid.height
    },
    geometry: {
      type: "Polygon" as const,
      coordinates: [[...p.footprint, p.footprint[0]]]
    }
  }))
})
