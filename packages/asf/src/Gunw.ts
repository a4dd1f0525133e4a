// The `asf-gunw` source kind: ARIA Sentinel-1 GUNW interferograms found through ASF's Search API by patch area
// (grouped into search cells, answers kept in the store's `.eoforge/sources/<key>/`) and chosen by date-pair
// rules inside each slot. The products are NetCDF-4 files read by the build's raster reader (`#var=` of each
// band's variable), through ASF's Earthdata Login redirect with the recipe's `access.logins` credentials.
import { AccessPolicy, Reason, Redact } from "@eoforge/core"
import { Footprint } from "@eoforge/raster"
import { SourceKind } from "@eoforge/sources"
import { Search, SearchCells, StacClient, type Find, type StacItem } from "@eoforge/stac"
import { Effect, Redacted, Stream } from "effect"
import * as AsfSearch from "./AsfSearch.ts"
import * as DatePairs from "./DatePairs.ts"
import * as GunwName from "./GunwName.ts"
import { fileDisk } from "./internal/fileDisk.ts"

/** The recipe `type` of this kind. */
export const type = "asf-gunw"

/** An ASF GUNW source as the recipe describes it. */
export interface Entry {
  /** Search endpoint (default ASF's). */
  readonly url?: string | undefined
  /** `dataset` (default `ARIA S1 GUNW`). */
  readonly dataset?: string | undefined
  /** `processingLevel` (default `GUNW_STD`). */
  readonly processingLevel?: string | undefined
  /** Pair rule: `baselineDays` exact, or `minDays`/`maxDays`. */
  readonly pairs?: {
    readonly baselineDays?: number
    readonly minDays?: number
    readonly maxDays?: number
  }
  /** `ASCENDING` or `DESCENDING` only. */
  readonly flightDirection?: "ASCENDING" | "DESCENDING" | undefined
  /** One relative orbit (track) only. */
  readonly relativeOrbit?: number | undefined
  /** Page size of searches (default 2000). */
  readonly maxResults?: number | undefined
  /** Search-cell size in degrees (default 1; 0 searches each patch alone). */
  readonly cellDegrees?: number | undefined
}

/** The collection name items of this kind carry (and searches name). */
export const collection = "ARIA S1 GUNW"

const fail = (key: string, message: string): never => {
  throw new SourceKind.SourceCheckError({ source: key, message: `source "${key}": ${message}` })
}

const days = (v: unknown) =>
  v === undefined || (typeof v === "number" && Number.isInteger(v) && v > 0)

/** Validates a recipe entry; throws SourceCheckError naming the key and the fix. */
const keys = [
  "type",
  "url",
  "dataset",
  "processingLevel",
  "pairs",
  "flightDirection",
  "relativeOrbit",
  "maxResults",
  "cellDegrees"
]

export const entryOf = (raw: Readonly<Record<string, unknown>>, key: string): Entry => {
  for (const k of Object.keys(raw))
    if (!keys.includes(k))
      fail(key, `${k} is not a key of an asf-gunw source (keys: ${keys.slice(1).join(", ")})`)
  const e = raw as Entry
  if (e.url !== undefined && !(typeof e.url === "string" && /^https?:\/\/[^\s]+$/i.test(e.url)))
    fail(key, `url must be an http(s) URL such as ${AsfSearch.defaultUrl}`)
  for (const k of ["dataset", "processingLevel"] as const)
    if (e[k] !== undefined && typeof e[k] !== "string") fail(key, `${k} must be a string`)
  const p = e.pairs as Record<string, unknown> | undefined
  if (p !== undefined) {
    if (typeof p !== "object" || p === null)
      fail(key, "pairs must be { baselineDays } or { minDays, maxDays }")
    for (const k of Object.keys(p))
      if (!["baselineDays", "minDays", "maxDays"].includes(k))
        fail(key, `pairs.${k} is not a pair rule; use baselineDays, minDays or maxDays`)
    if (!days(p.baselineDays) || !days(p.minDays) || !days(p.maxDays))
      fail(
        key,
        "pairs' days must be positive whole numbers (Sentinel-1 repeats every 6 or 12 days)"
      )
    if (typeof p.minDays === "number" && typeof p.maxDays === "number" && p.minDays > p.maxDays)
      fail(key, `pairs.minDays ${p.minDays} is over pairs.maxDays ${p.maxDays}`)
  }
  if (e.flightDirection !== undefined && !["ASCENDING", "DESCENDING"].includes(e.flightDirection))
    fail(key, "flightDirection must be ASCENDING or DESCENDING")
  if (e.relativeOrbit !== undefined && !(Number.isInteger(e.relativeOrbit) && e.relativeOrbit > 0))
    fail(key, "relativeOrbit must be a positive whole number")
  if (e.maxResults !== undefined && !(Number.isInteger(e.maxResults) && e.maxResults > 0))
    fail(key, "maxResults must be a positive whole number")
  if (e.cellDegrees !== undefined && !(typeof e.cellDegrees === "number" && e.cellDegrees >= 0))
    fail(key, "cellDegrees must be 0 (search each patch) or a cell size in degrees")
  return e
}

/** An ASF product as a STAC-shaped item (for search cells): id = fileID, datetime = startTime. */
export const itemOf = (p: AsfSearch.Product): StacItem.Item => ({
  type: "Feature",
  id: p.fileID,
  collection,
  geometry: p.geometry,
  properties: {
    ...p.properties,
    datetime: p.startTime,
    start_datetime: p.startTime,
    end_datetime: p.stopTime
  },
  assets: { product: { href: p.url } }
})

const outerRings = (
  g: StacItem.Geometry | null
): ReadonlyArray<ReadonlyArray<readonly [number, number]>> =>
  g === null
    ? []
    : g.type === "Polygon"
      ? [g.coordinates[0] ?? []]
      : g.coordinates.map((p) => p[0] ?? [])

const samplesOf = (footprint: ReadonlyArray<readonly [number, number]>, n = 8) => {
  const [ul, ur, lr, ll] = Footprint.unwrap(footprint)
  const out: Array<readonly [number, number]> = []
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const u = (i + 0.5) / n
      const v = (j + 0.5) / n
      const tx = ul![0] + (ur![0] - ul![0]) * u
      const ty = ul![1] + (ur![1] - ul![1]) * u
      const bx = ll![0] + (lr![0] - ll![0]) * u
      const by = ll![1] + (lr![1] - ll![1]) * u
      out.push([tx + (bx - tx) * v, ty + (by - ty) * v])
    }
  return out
}

const make = (
  raw: Readonly<Record<string, unknown>>,
  context: SourceKind.PrepareContext,
  folder: string | undefined
): SourceKind.Source & { readonly requests: () => number } => {
  const entry = entryOf(raw, context.key)
  const url = entry.url ?? AsfSearch.defaultUrl
  const maxResults = entry.maxResults ?? 2000
  const requests = { count: 0 }
  const rule: DatePairs.Rule = {
    ...entry.pairs,
    ...(entry.flightDirection === undefined
      ? {}
      : { direction: entry.flightDirection === "ASCENDING" ? ("A" as const) : ("D" as const) }),
    ...(entry.relativeOrbit === undefined ? {} : { track: entry.relativeOrbit })
  }
  const guard = { policy: context.access, auth: context.auth }
  const searchFn: SearchCells.SearchFn<AsfSearch.AsfSearchError> = (_source, params) =>
    Stream.unwrap(
      Effect.tryPromise({
        try: () => {
          const g = params.intersects
          const rings =
            g === undefined
              ? [[]]
              : g.type === "Polygon"
                ? [g.coordinates[0]!]
                : g.coordinates.map((part) => part[0]!)
          return AsfSearch.searchRings(
            {
              url,
              dataset: entry.dataset ?? collection,
              processingLevel: entry.processingLevel ?? "GUNW_STD",
              flightDirection: entry.flightDirection,
              relativeOrbit: entry.relativeOrbit,
              start: params.datetime?.start ?? 0,
              end: params.datetime?.end ?? Date.UTC(2100, 0, 1),
              maxResults: params.limit ?? maxResults
            },
            rings,
            guard,
            requests
          )
        },
        catch: (e) =>
          e instanceof AsfSearch.AsfSearchError
            ? e
            : new AsfSearch.AsfSearchError({
                url: Redact.forMessage(url),
                message: String(e),
                cause: e
              })
      }).pipe(Effect.map((products) => Stream.fromIterable(products.map(itemOf))))
    )
  const cells =
    entry.cellDegrees === 0
      ? undefined
      : SearchCells.make(searchFn, {
          cellDegrees: entry.cellDegrees ?? 1,
          pageLimit: maxResults,
          ...(folder === undefined ? {} : { disk: fileDisk(folder, 4096) })
        })
  const search = cells?.search ?? searchFn
  const source = StacClient.api(url)
  const find = (request: SourceKind.FindRequest) =>
    Effect.gen(function* () {
      const { patch, preset, slot } = request
      const missing = (reason: Reason.Reason, detail: string): Find.Missing => ({
        _tag: "Missing",
        slot: slot.id,
        reason,
        detail
      })
      const items = yield* Stream.runCollect(
        search(source, {
          collections: [collection],
          intersects: Search.patchGeometry(patch),
          datetime: { start: slot.start, end: slot.end },
          limit: maxResults
        })
      ).pipe(Effect.result)
      if (items._tag === "Failure")
        return missing(Reason.Reason.SourceError, `source ${context.key}: ${items.failure.message}`)
      const samples = samplesOf(patch.footprint)
      const candidates: Array<DatePairs.Candidate<StacItem.Item>> = []
      for (const item of items.success) {
        const name = GunwName.parse(item.id)
        if (name === undefined) continue
        const rings = outerRings(item.geometry)
        const coverage = Math.max(0, ...rings.map((r) => Footprint.fractionInside(r, samples)))
        candidates.push({ name, product: item, coverage })
      }
      if (candidates.length === 0)
        return missing(
          Reason.Reason.NoItemInWindow,
          `ASF (${Redact.forRecord(url)}) has no ${collection} product over the patch in slot ${slot.id}`
        )
      const union = (frames: ReadonlyArray<DatePairs.Candidate<StacItem.Item>>) => {
        const rings = frames.flatMap((f) => outerRings(f.product.geometry))
        return (
          samples.filter((s) => rings.some((r) => Footprint.fractionInside(r, [s]) > 0)).length /
          samples.length
        )
      }
      const chosen = DatePairs.choose(candidates, rule, slot, union)
      if (!DatePairs.isPair(chosen)) {
        const want =
          rule.baselineDays !== undefined
            ? `a ${rule.baselineDays}-day baseline`
            : `a baseline of ${rule.minDays ?? 1}–${rule.maxDays ?? "any"} days`
        return missing(
          Reason.Reason.PairingFailed,
          `${candidates.length} GUNW product(s) over the patch; none has both dates in slot ${slot.id} and ${want}${rule.direction === undefined && rule.track === undefined ? "" : " on the orbit asked"} (outside the slot: ${chosen.outsideSlot}, other baselines: ${chosen.baseline}${chosen.baselinesSeen.length === 0 ? "" : ` [${chosen.baselinesSeen.join(", ")} days]`}, other orbits: ${chosen.orbit})`
        )
      }
      const binding = Object.values(preset.bindings)[0]
      const assets: Record<string, Array<Find.AssetRef>> = {}
      for (const b of preset.spec.bands) {
        const variable = binding?.assets[b.name] ?? b.name
        assets[b.name] = chosen.frames.map((f) => {
          const base = f.product.assets.product!.href
          // The fragment names the variable (no secret); the record keeps it so bands stay apart.
          return {
            item: f.name.id,
            key: variable,
            href: `${Redact.forRecord(base)}#var=${variable}`,
            url: Redacted.make(`${base}#var=${variable}`)
          }
        })
      }
      const found: Find.Found = {
        _tag: "Found",
        slot: slot.id,
        window: { start: slot.start, end: slot.end },
        fallback: false,
        items: chosen.frames.map((f) => f.product),
        assets,
        datetime: chosen.frames[0]!.name.referenceTime,
        relativeOrbit: chosen.track,
        orbitState: chosen.direction === "A" ? "ascending" : "descending",
        mosaic: chosen.frames.length > 1,
        coverage: chosen.coverage
      }
      return found
    })
  const check = Effect.suspend(() => {
    const decision = AccessPolicy.checkUrl(context.access, url)
    return decision._tag === "Refused"
      ? Effect.fail(
          new SourceKind.SourceCheckError({
            source: context.key,
            message: `source "${context.key}": ${Redact.forRecord(url)} is not allowed (${decision.reason}); add its host to access.hosts`
          })
        )
      : Effect.void
  })
  return {
    find,
    check,
    withCache: (f) => make(raw, context, f),
    requests: () => requests.count
  }
}

/** Prepares an ASF GUNW source from its recipe entry (search answers in memory until `withCache`). */
export const prepare = (
  raw: Readonly<Record<string, unknown>>,
  context: SourceKind.PrepareContext
): SourceKind.Source & { readonly requests: () => number } => make(raw, context, undefined)

/** The `asf-gunw` kind, for the pipeline's registry. */
export const kind: SourceKind.Kind = { type, prepare }
