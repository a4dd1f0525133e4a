// The `file-collection` source kind: a user's own rasters (labels, masks, maps) as a folder glob, a list of
// URLs or a text file of URLs. Indexed once per build (footprint, CRS, date; cached in the store's
// `.eoforge/sources/<key>/`), then found per patch by a spatial lookup, and read by the build's raster reader.
import type { Guarded } from "@eoforge/access"
import { AccessPolicy, Reason, Redact, type Patch } from "@eoforge/core"
import { Footprint, type RasterSource } from "@eoforge/raster"
import { SourceKind } from "@eoforge/sources"
import type { Find, TimeSlots } from "@eoforge/stac"
import { Deferred, Effect, Redacted } from "effect"
import * as CollectionIndex from "./CollectionIndex.ts"
import * as DatePattern from "./DatePattern.ts"
import * as Listing from "./Listing.ts"

/** The recipe `type` of this kind. */
export const type = "file-collection"

/** A file collection as the recipe describes it (validated by `entryOf`). */
export interface Entry extends Listing.Spec {
  /**
   * Where acquisition dates come from: a token pattern searched in file names (`{yyyy}{mm}{dd}`), `{ regex }`
   * with named groups, `metadata` (TIFF DateTime), or absent (undated files serve every slot).
   */
  readonly datetime?: string | { readonly regex: string } | undefined
  /** Most files indexed (default 100,000); more is an error naming the setting. */
  readonly maxFiles?: number | undefined
}

/** Default bound of a collection's size. */
export const defaultMaxFiles = 100_000

const fail = (key: string, message: string): never => {
  throw new SourceKind.SourceCheckError({ source: key, message: `source "${key}": ${message}` })
}

const strings = (v: unknown): v is ReadonlyArray<string> =>
  Array.isArray(v) && v.every((s) => typeof s === "string" && s.length > 0)

const entryKeys = ["type", "files", "urls", "urlList", "datetime", "maxFiles"]

/** Validates a recipe entry and compiles its date rule; throws SourceCheckError naming the key and fix. */
export const entryOf = (
  raw: Readonly<Record<string, unknown>>,
  key: string
): { readonly entry: Entry; readonly dates: CollectionIndex.DateRule } => {
  for (const k of Object.keys(raw))
    if (!entryKeys.includes(k))
      fail(
        key,
        `${k} is not a key of a file-collection source (keys: ${entryKeys.slice(1).join(", ")})`
      )
  const files = typeof raw.files === "string" ? [raw.files] : raw.files
  if (files !== undefined && !strings(files)) fail(key, "files must be a glob pattern or a list")
  if (raw.urls !== undefined && !strings(raw.urls)) fail(key, "urls must be a list of URLs")
  if (raw.urlList !== undefined && typeof raw.urlList !== "string")
    fail(key, "urlList must be the path of a text file with one URL a line")
  if (files === undefined && raw.urls === undefined && raw.urlList === undefined)
    fail(key, "name the rasters with files (a glob), urls (a list) or urlList (a text file)")
  const max = raw.maxFiles
  if (max !== undefined && !(typeof max === "number" && Number.isInteger(max) && max > 0))
    fail(key, "maxFiles must be a positive integer")
  const d = raw.datetime
  let dates: CollectionIndex.DateRule = { from: "none" }
  try {
    if (d === "metadata") dates = { from: "metadata" }
    else if (typeof d === "string") dates = { from: "name", pattern: DatePattern.fromPattern(d) }
    else if (
      typeof d === "object" &&
      d !== null &&
      typeof (d as { regex?: unknown }).regex === "string"
    )
      dates = { from: "name", pattern: DatePattern.fromRegex((d as { regex: string }).regex) }
    else if (d !== undefined)
      fail(key, 'datetime must be a pattern such as "{yyyy}{mm}{dd}", { regex: … } or metadata')
  } catch (error) {
    if (error instanceof DatePattern.DatePatternError) fail(key, `datetime: ${error.message}`)
    throw error
  }
  return {
    entry: {
      ...(raw as Entry),
      ...(files === undefined ? {} : { files: files as ReadonlyArray<string> })
    },
    dates
  }
}

/** An index ready for lookups: entries and a 1° cell hash of their boxes. */
interface Ready {
  readonly entries: ReadonlyArray<CollectionIndex.Entry>
  readonly cells: ReadonlyMap<string, ReadonlyArray<number>>
  readonly counts: CollectionIndex.Counts
}

const cellKeys = (box: Footprint.LonLatBox): Array<string> => {
  const out: Array<string> = []
  for (let i = Math.floor(box[0]); i <= Math.floor(box[2]); i++)
    for (let j = Math.floor(box[1]); j <= Math.floor(box[3]); j++) out.push(`${i},${j}`)
  return out
}

const readyOf = (
  entries: ReadonlyArray<CollectionIndex.Entry>,
  counts: CollectionIndex.Counts
): Ready => {
  const cells = new Map<string, Array<number>>()
  entries.forEach((e, i) => {
    for (const box of e.boxes)
      for (const k of cellKeys(box)) {
        const list = cells.get(k)
        if (list === undefined) cells.set(k, [i])
        else if (list[list.length - 1] !== i) list.push(i)
      }
  })
  return { entries, cells, counts }
}

/** Points spread over a patch footprint (lon, lat; continuous longitudes), for coverage fractions. */
const samplesOf = (ring: ReadonlyArray<readonly [number, number]>, n = 6) => {
  const [ul, ur, lr, ll] = ring
  const out: Array<readonly [number, number]> = []
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const u = (i + 0.5) / n
      const v = (j + 0.5) / n
      const top = [ul[0] + (ur[0] - ul[0]) * u, ul[1] + (ur[1] - ul[1]) * u]
      const bottom = [ll[0] + (lr[0] - ll[0]) * u, ll[1] + (lr[1] - ll[1]) * u]
      out.push([top[0] + (bottom[0] - top[0]) * v, top[1] + (bottom[1] - top[1]) * v])
    }
  return out
}

/** The patch outline as a continuous closed ring [ul, ur, lr, ll, ul]. */
export const patchRing = (patch: Pick<Patch.Patch, "footprint">) => {
  const ring = Footprint.unwrap(patch.footprint)
  return [...ring, ring[0]]
}

/** The files of `ready` a patch overlaps, in index order. */
export const lookup = (
  ready: Pick<Ready, "entries" | "cells">,
  patch: Pick<Patch.Patch, "footprint">
): ReadonlyArray<CollectionIndex.Entry> => {
  const ring = patchRing(patch)
  const boxes = Footprint.boxesOf(ring)
  const seen = new Set<number>()
  for (const box of boxes)
    for (const k of cellKeys(box)) for (const i of ready.cells.get(k) ?? []) seen.add(i)
  return [...seen]
    .sort((a, b) => a - b)
    .map((i) => ready.entries[i])
    .filter(
      (e) =>
        e.boxes.some((b) => boxes.some((p) => Footprint.boxesIntersect(b, p))) &&
        Footprint.ringsIntersect(e.ring, ring)
    )
}

const baseName = (uri: string) => uri.split(/[?#]/)[0]!.split(/[\\/]/).pop() ?? uri

/** Chooses the files of a slot: dated files in the slot nearest its reference (then by URI), mosaicked. */
export const choose = (
  candidates: ReadonlyArray<CollectionIndex.Entry>,
  slot: TimeSlots.Slot
): ReadonlyArray<CollectionIndex.Entry> => {
  const inSlot = candidates.filter(
    (e) => e.datetime === undefined || (e.datetime >= slot.start && e.datetime <= slot.end)
  )
  const distance = (e: CollectionIndex.Entry) =>
    e.datetime === undefined ? 0 : Math.abs(e.datetime - slot.reference)
  const sorted = [...inSlot].sort(
    (a, b) => distance(a) - distance(b) || (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0)
  )
  const first = sorted[0]
  // One acquisition per chip: the files of the nearest instant (tiles of one date) form its mosaic.
  return first === undefined ? [] : sorted.filter((e) => e.datetime === first.datetime)
}

/** Builds (or reloads) the index of a listing. */
export const index = (
  files: ReadonlyArray<string>,
  options: CollectionIndex.Options & {
    readonly folder?: string | undefined
    readonly maxFiles?: number | undefined
  }
): Effect.Effect<Ready, CollectionIndex.CollectionError, RasterSource.RasterSource> =>
  Effect.gen(function* () {
    const max = options.maxFiles ?? defaultMaxFiles
    if (files.length > max)
      return yield* new CollectionIndex.CollectionError({
        file: Redact.forMessage(files[max]!),
        problem: "TooMany",
        message: `the collection lists ${files.length} files, over maxFiles ${max}; raise maxFiles or split the collection`
      })
    const key = CollectionIndex.keyOf(options.dates)
    const cached =
      options.folder === undefined
        ? new Map<string, CollectionIndex.Entry>()
        : yield* Effect.promise(() => CollectionIndex.load(options.folder!, key))
    const guard: Guarded.Guard = { policy: options.access, auth: options.auth }
    const entries: Array<CollectionIndex.Entry> = []
    let opened = 0
    let reused = 0
    for (const uri of files) {
      const stamp = yield* Effect.tryPromise({
        try: () => CollectionIndex.stampOf(uri, guard),
        catch: (e) =>
          new CollectionIndex.CollectionError({
            file: Redact.forMessage(uri),
            problem: "Unreadable",
            message: `${Redact.forMessage(uri)}: ${Redact.inText(e instanceof Error ? e.message : String(e))}; fix or remove it from the collection`,
            cause: e
          })
      })
      const known = cached.get(uri)
      if (stamp !== undefined && known !== undefined && known.stamp === stamp) {
        reused++
        entries.push(known)
        continue
      }
      opened++
      entries.push(yield* CollectionIndex.entryOf(uri, stamp ?? "", options))
    }
    if (options.folder !== undefined)
      yield* Effect.promise(() =>
        CollectionIndex.save(
          options.folder!,
          key,
          entries.filter((e) => e.stamp !== "")
        )
      )
    return readyOf(entries, { opened, reused })
  })

const make = (
  raw: Readonly<Record<string, unknown>>,
  context: SourceKind.PrepareContext,
  folder: string | undefined
): SourceKind.Source & { readonly counts: () => CollectionIndex.Counts | undefined } => {
  const { entry, dates } = entryOf(raw, context.key)
  let state: Ready | CollectionIndex.CollectionError | undefined
  let pending: Deferred.Deferred<Ready | CollectionIndex.CollectionError> | undefined
  const build = Effect.gen(function* () {
    const files = yield* Effect.tryPromise({
      try: () => Listing.list(entry, context.resolvePath, context.access),
      catch: (e) =>
        new CollectionIndex.CollectionError({
          file: entry.urlList ?? entry.files?.join(", ") ?? "",
          problem: "Listing",
          message: `source ${context.key}: listing its files failed (${Redact.inText(e instanceof Error ? e.message : String(e))}); check files, urls and urlList`,
          cause: e
        })
    })
    return yield* index(files, {
      dates,
      access: context.access,
      auth: context.auth,
      folder,
      maxFiles: entry.maxFiles
    })
  })
  // One index per source for the life of the build; concurrent patches wait for it.
  const ready: Effect.Effect<
    Ready | CollectionIndex.CollectionError,
    never,
    RasterSource.RasterSource
  > = Effect.suspend(() => {
    if (state !== undefined) return Effect.succeed(state)
    if (pending !== undefined) return Deferred.await(pending)
    const deferred = Deferred.makeUnsafe<Ready | CollectionIndex.CollectionError>()
    pending = deferred
    return build.pipe(
      Effect.catch((e) => Effect.succeed(e)),
      Effect.tap((r) =>
        Effect.sync(() => {
          state = r
          Deferred.doneUnsafe(deferred, Effect.succeed(r))
        })
      )
    )
  })
  const find = (request: SourceKind.FindRequest) =>
    Effect.gen(function* () {
      const { patch, preset, slot } = request
      const missing = (reason: Reason.Reason, detail: string): Find.Missing => ({
        _tag: "Missing",
        slot: slot.id,
        reason,
        detail
      })
      const r = yield* ready
      if (r instanceof CollectionIndex.CollectionError)
        return missing(Reason.Reason.SourceError, `source ${context.key}: ${r.message}`)
      const covering = lookup(r, patch)
      if (covering.length === 0)
        return missing(
          Reason.Reason.NotCovered,
          `no file of source ${context.key} (${r.entries.length} indexed) overlaps the patch`
        )
      const chosen = choose(covering, slot)
      if (chosen.length === 0)
        return missing(
          Reason.Reason.NoItemInWindow,
          `${covering.length} file(s) of source ${context.key} overlap the patch, none dated in slot ${slot.id} (${new Date(slot.start).toISOString()}–${new Date(slot.end).toISOString()})`
        )
      const samples = samplesOf(patchRing(patch))
      const coverage =
        samples.filter(([x, y]) =>
          chosen.some((e) => Footprint.fractionInside(e.ring, [[x, y]]) > 0)
        ).length / samples.length
      const binding = Object.values(preset.bindings)[0]
      const assets: Record<string, Array<Find.AssetRef>> = {}
      for (const b of preset.spec.bands)
        assets[b.name] = chosen.map((e) => ({
          item: baseName(e.uri),
          key: binding?.assets[b.name] ?? b.name,
          href: Redact.forRecord(e.uri),
          url: Redacted.make(e.uri)
        }))
      const datetime = chosen[0]!.datetime ?? slot.reference
      const found: Find.Found = {
        _tag: "Found",
        slot: slot.id,
        window: { start: slot.start, end: slot.end },
        fallback: false,
        items: chosen.map((e) => ({
          type: "Feature" as const,
          id: baseName(e.uri),
          geometry: { type: "Polygon", coordinates: [e.ring.map(([x, y]) => [x, y])] },
          bbox: [...e.boxes[0]!],
          properties: {
            datetime: new Date(e.datetime ?? datetime).toISOString(),
            "proj:code": e.crs
          },
          assets: {}
        })),
        assets,
        datetime,
        mosaic: chosen.length > 1,
        coverage
      }
      return found
    })
  // The files' folder or hosts must be ones the recipe's access policy allows.
  const check = Effect.suspend(() => {
    const refused: Array<string> = []
    for (const p of [...(entry.files ?? []), ...(entry.urls ?? [])]) {
      const at = /^(https?):\/\//i.test(p)
        ? AccessPolicy.checkUrl(context.access, p)
        : /^s3:\/\//i.test(p)
          ? { _tag: "Allowed" as const }
          : AccessPolicy.checkPath(
              context.access,
              context.resolvePath(p.replace(/[*?[{].*$/, "") || ".")
            )
      if (at._tag === "Refused") refused.push(`${Redact.forRecord(p)} (${at.reason})`)
    }
    return refused.length === 0
      ? Effect.void
      : Effect.fail(
          new SourceKind.SourceCheckError({
            source: context.key,
            message: `source "${context.key}": ${refused.join(", ")} not allowed; add the folder to access.localRoots or the host to access.hosts`
          })
        )
  })
  return {
    find,
    check,
    withCache: (f) => make(raw, context, f),
    counts: () => (state instanceof CollectionIndex.CollectionError ? undefined : state?.counts)
  }
}

/** Prepares a file collection from its recipe entry (index kept in memory until `withCache`). */
export const prepare = (
  raw: Readonly<Record<string, unknown>>,
  context: SourceKind.PrepareContext
): SourceKind.Source & { readonly counts: () => CollectionIndex.Counts | undefined } =>
  make(raw, context, undefined)

/** The `file-collection` kind, for the pipeline's registry. */
export const kind: SourceKind.Kind = { type, prepare }
