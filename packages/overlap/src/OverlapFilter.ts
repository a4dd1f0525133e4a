// Greedy overlap filtering of candidate patches in candidate order: a candidate is rejected when an accepted
// footprint covers more than `maxOverlap` of its area (exact area in metres). Streaming and bulk forms agree.
import type { Patch } from "@eoforge/core"
import { Effect, Schema, Stream } from "effect"
import * as Bulk from "./internal/bulk.ts"
import * as Compact from "./internal/compact.ts"
import * as Footprints from "./internal/footprints.ts"
import * as Greedy from "./internal/greedy.ts"
import { InvalidFootprintError } from "./Overlap.ts"

/** A maxOverlap that is not a number in [0, 1]. */
export class InvalidMaxOverlapError extends Schema.TaggedError<InvalidMaxOverlapError>()(
  "InvalidMaxOverlapError",
  { maxOverlap: Schema.Number }
) {
  override get message(): string {
    return `invalid maxOverlap ${this.maxOverlap}: give the largest allowed overlap as a fraction of a candidate's area in [0, 1], e.g. 0.25 (SSL4EO-S12's rule)`
  }
}

const invalid = (patch: Patch.Patch): never => {
  throw new InvalidFootprintError({
    patch: String(patch.id),
    footprint: JSON.stringify(patch.footprint)
  })
}

/** Filter options. */
export interface Options {
  /** Largest allowed overlap as a fraction of the candidate's area, in [0, 1]; default 0.25. */
  readonly maxOverlap?: number | undefined
}

/** How many candidates a filter has seen, accepted and rejected. */
export interface Counts {
  readonly offered: number
  readonly accepted: number
  readonly rejected: number
}

/** A streaming filter: offer candidates one at a time, in order. */
export interface OverlapFilter {
  /** The allowed overlap fraction. */
  readonly maxOverlap: number
  /** Offers a candidate; true (and kept) when accepted. Throws InvalidFootprintError on a bad footprint. */
  readonly offer: (patch: Patch.Patch) => boolean
  /** The counts so far. */
  readonly counts: () => Counts
  /** The accepted patches in acceptance order. */
  readonly accepted: () => ReadonlyArray<Patch.Patch>
}

/** The outcome of `filterAll`. */
export interface BulkResult {
  /** Indices of the accepted candidates, ascending. */
  readonly accepted: Int32Array
  /** Number of rejected candidates. */
  readonly rejected: number
}

const validate = (options: Options | undefined): number => {
  const maxOverlap = options?.maxOverlap ?? 0.25
  if (!(typeof maxOverlap === "number" && maxOverlap >= 0 && maxOverlap <= 1)) {
    throw new InvalidMaxOverlapError({ maxOverlap })
  }
  return maxOverlap
}

/** A new streaming filter. Throws InvalidMaxOverlapError when maxOverlap is outside [0, 1]. */
export const make = (options?: Options): OverlapFilter => {
  const maxOverlap = validate(options)
  const greedy = Greedy.make(maxOverlap, 1024)
  const store = Footprints.makeStore()
  const candidate = new Float64Array(Footprints.STRIDE)
  const kept: Array<Patch.Patch> = []
  let offered = 0
  return {
    maxOverlap,
    offer: (patch) => {
      const slot = kept.length
      if (!Footprints.write(candidate, 0, patch.footprint)) invalid(patch)
      offered++
      if (Greedy.blocked(greedy, store, candidate)) return false
      Greedy.accept(greedy, store, slot, candidate)
      kept.push(patch)
      return true
    },
    counts: () => ({ offered, accepted: kept.length, rejected: offered - kept.length }),
    accepted: () => kept
  }
}

/** A streaming filter that keeps no patch: offer candidates one at a time, in order. */
export interface CompactFilter {
  /** The allowed overlap fraction. */
  readonly maxOverlap: number
  /** Offers a candidate; true when accepted. Throws InvalidFootprintError on a bad footprint. */
  readonly offer: (patch: Patch.Patch) => boolean
  /** The counts so far. */
  readonly counts: () => Counts
}

/** Options of a compact filter. */
export interface CompactOptions extends Options {
  /**
   * The footprint of the k-th accepted candidate (0-based, acceptance order), exactly as it was offered: the
   * caller keeps its accepted patches in its own compact form (e.g. columns it rebuilds them from).
   */
  readonly recall: (accepted: number) => Patch.Patch["footprint"]
}

/**
 * A streaming filter for very many patches: it accepts exactly what `make` accepts, but keeps only 32
 * bytes per accepted footprint (centre and radius) outside the JS heap, and asks `recall` for the corners of
 * an accepted footprint a candidate comes near. Throws InvalidMaxOverlapError.
 */
export const makeCompact = (options: CompactOptions): CompactFilter => {
  const maxOverlap = validate(options)
  const run = Compact.make(maxOverlap + Greedy.SLACK, options.recall)
  const candidate = new Float64Array(Footprints.STRIDE)
  let offered = 0
  return {
    maxOverlap,
    offer: (patch) => {
      if (!Footprints.write(candidate, 0, patch.footprint)) invalid(patch)
      offered++
      if (Compact.blocked(run, candidate)) return false
      Compact.accept(run, candidate)
      return true
    },
    counts: () => ({ offered, accepted: run.size, rejected: offered - run.size })
  }
}

/**
 * Filters a whole candidate list at once; accepts exactly the candidates the streaming filter accepts when
 * offered them in the same order. Throws InvalidMaxOverlapError or InvalidFootprintError.
 */
export const filterAll = (patches: ReadonlyArray<Patch.Patch>, options?: Options): BulkResult => {
  const maxOverlap = validate(options)
  const n = patches.length
  const sorted = Bulk.acceptAll(patches, maxOverlap + Greedy.SLACK, (i) => invalid(patches[i]))
  if (sorted !== undefined) return { accepted: sorted, rejected: n - sorted.length }
  // Footprints of a few metres make the cube grid too fine to sort: filter them one by one instead.
  const filter = make({ maxOverlap })
  const accepted = new Int32Array(n)
  let m = 0
  for (let i = 0; i < n; i++) if (filter.offer(patches[i])) accepted[m++] = i
  return { accepted: accepted.slice(0, m), rejected: n - m }
}

/** A stream pipe passing the candidates `filter` accepts, one per chunk; bad footprints fail the stream. */
export const filterStreamWith =
  (filter: OverlapFilter) =>
  <E, R>(
    self: Stream.Stream<Patch.Patch, E, R>
  ): Stream.Stream<Patch.Patch, E | InvalidFootprintError, R> =>
    self.pipe(
      Stream.filterEffect((patch: Patch.Patch) =>
        Effect.suspend(() => {
          try {
            return Effect.succeed(filter.offer(patch))
          } catch (error) {
            if (error instanceof InvalidFootprintError) return Effect.fail(error)
            throw error
          }
        })
      ),
      Stream.rechunk(1)
    )

/** A stream pipe with a fresh filter per run; fails with InvalidMaxOverlapError on a bad maxOverlap. */
export const filterStream =
  (options?: Options) =>
  <E, R>(
    self: Stream.Stream<Patch.Patch, E, R>
  ): Stream.Stream<Patch.Patch, E | InvalidFootprintError | InvalidMaxOverlapError, R> =>
    Stream.suspend(
      (): Stream.Stream<Patch.Patch, E | InvalidFootprintError | InvalidMaxOverlapError, R> => {
        let filter: OverlapFilter
        try {
          filter = make(options)
        } catch (error) {
          if (error instanceof InvalidMaxOverlapError) return Stream.fail(error)
          throw error
        }
        return self.pipe(filterStreamWith(filter))
      }
    )
