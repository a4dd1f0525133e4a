// The index of a file collection: per raster its footprint (the outline in WGS 84 from its header and CRS),
// CRS, size and acquisition instant, made once by opening each file's header and kept in a folder of the
// store's `.eoforge/`. An entry is reused while its stamp (size and mtime; ETag or Last-Modified and length)
// is unchanged; any change re-reads that file alone.
import { Guarded } from "@eoforge/access"
import { AccessPolicy, Crs, Redact } from "@eoforge/core"
import { Footprint, RasterAccess, RasterSource } from "@eoforge/raster"
import { Effect, Schema } from "effect"
import { createHash } from "node:crypto"
import { mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { gunzipSync, gzipSync } from "node:zlib"
import type * as DatePattern from "./DatePattern.ts"

/** One indexed raster. */
export interface Entry {
  /** Path or URL as listed. */
  readonly uri: string
  /** What identifies this version of the file: `size:mtimeMs` locally, `etag:…` or `modified:…` remotely. */
  readonly stamp: string
  /** The CRS as text (EPSG code, or the start of its definition). */
  readonly crs: string
  readonly width: number
  readonly height: number
  /** Outline in (lon, lat) degrees, continuous across the antimeridian (see raster `Footprint`). */
  readonly ring: ReadonlyArray<readonly [number, number]>
  /** Boxes covered, split at the antimeridian. */
  readonly boxes: ReadonlyArray<Footprint.LonLatBox>
  /** Acquisition instant, epoch ms, when the file name or header states one. */
  readonly datetime?: number
}

/** Where dates come from: a file-name pattern, the file's own header (TIFF DateTime), or nowhere. */
export type DateRule =
  | { readonly from: "name"; readonly pattern: DatePattern.DatePattern }
  | { readonly from: "metadata" }
  | { readonly from: "none" }

/** A file that cannot be indexed: it names the file, what is wrong and the fix. */
export class CollectionError extends Schema.TaggedError<CollectionError>()("CollectionError", {
  /** The file or URL (secrets redacted). */
  file: Schema.String,
  /** `Unreadable` (not a raster EOForge reads, no georeferencing, unreachable), `TooMany` files, `Listing`. */
  problem: Schema.Literals(["Unreadable", "TooMany", "Listing"]),
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** What indexing did, for reports and tests. */
export interface Counts {
  /** Files whose header was read. */
  readonly opened: number
  /** Files whose entry was reused (unchanged stamp). */
  readonly reused: number
}

/** What indexing needs. */
export interface Options {
  readonly dates: DateRule
  readonly access: AccessPolicy.AccessPolicy
  readonly auth?: Guarded.Authorizer | undefined
  /** Points sampled per raster edge for its outline (default 16). */
  readonly samplesPerEdge?: number | undefined
}

const isUrl = (uri: string) => /^(https?|s3):\/\//i.test(uri)

const crsText = (crs: Crs.Crs): string => {
  switch (crs._tag) {
    case "Epsg":
      return `EPSG:${crs.code}`
    case "Code":
      return `${crs.authority}:${crs.code}`
    case "Proj":
      return crs.definition
    case "Wkt":
      return crs.text.slice(0, 80)
    case "ProjJson":
      return crs.json.slice(0, 80)
  }
}

/** The stamp of a file's current version; undefined when the server states none (never cached). */
export const stampOf = async (uri: string, guard: Guarded.Guard): Promise<string | undefined> => {
  if (!isUrl(uri)) {
    // Opened under the policy (allowed roots, regular files only) before anything about it is read.
    const handle = await Guarded.openFile(uri, guard)
    try {
      const s = await handle.stat()
      return `${s.size}:${s.mtimeMs}`
    } finally {
      await handle.close()
    }
  }
  const res = await Guarded.request(uri, { method: "HEAD" }, guard)
  res.discard()
  if (res.status < 200 || res.status >= 300) return undefined
  const one = (v: string | ReadonlyArray<string> | undefined) => (Array.isArray(v) ? v[0] : v)
  const etag = one(res.headers.etag)
  const length = one(res.headers["content-length"]) ?? "?"
  if (etag !== undefined) return `etag:${etag}:${length}`
  const modified = one(res.headers["last-modified"])
  return modified === undefined ? undefined : `modified:${modified}:${length}`
}

/** Reads one file's header into its entry (the date rule applied). */
export const entryOf = (
  uri: string,
  stamp: string,
  options: Options
): Effect.Effect<Entry, CollectionError, RasterSource.RasterSource> =>
  Effect.gen(function* () {
    const raster = yield* RasterSource.RasterSource
    const info = yield* Effect.scoped(raster.open(uri)).pipe(
      RasterAccess.withPolicy(options.access, undefined, options.auth),
      Effect.mapError(
        (e) =>
          new CollectionError({
            file: Redact.forMessage(uri),
            problem: "Unreadable",
            message: `${e.message}; fix or remove the file from the collection`,
            cause: e
          })
      )
    )
    const fp = yield* Effect.try({
      try: () =>
        Footprint.of(info.crs, info.geoTransform, info.width, info.height, options.samplesPerEdge),
      catch: (e) =>
        new CollectionError({
          file: Redact.forMessage(uri),
          problem: "Unreadable",
          message: `${Redact.forMessage(uri)}: its CRS ${crsText(info.crs)} cannot be transformed to WGS 84 (${e instanceof Error ? e.message : String(e)}); give the file an EPSG CRS`,
          cause: e
        })
    })
    if (fp.ring.length < 4)
      return yield* new CollectionError({
        file: Redact.forMessage(uri),
        problem: "Unreadable",
        message: `${Redact.forMessage(uri)}: no point of its outline maps to longitude/latitude; check its CRS and geotransform`
      })
    const datetime =
      options.dates.from === "name"
        ? options.dates.pattern.instantOf(uri.split(/[?#]/)[0]!)
        : options.dates.from === "metadata" && info.dateTime !== undefined
          ? Date.parse(info.dateTime)
          : undefined
    return {
      uri,
      stamp,
      crs: crsText(info.crs),
      width: info.width,
      height: info.height,
      ring: fp.ring,
      boxes: fp.boxes,
      ...(datetime === undefined ? {} : { datetime })
    }
  })

/** The name under which an index is kept: it changes with the date rule (dates are part of entries). */
export const keyOf = (dates: DateRule): string =>
  createHash("sha256")
    .update(
      JSON.stringify({
        v: 1,
        dates: dates.from === "name" ? dates.pattern.source : dates.from
      })
    )
    .digest("hex")
    .slice(0, 16)

/** Largest index file read back, bytes after decompression. */
const maxIndexBytes = 256 * 1024 * 1024

/** The entries kept in `folder` under `key`, by URI (empty when absent or unreadable: a cache). */
export const load = async (folder: string, key: string): Promise<Map<string, Entry>> => {
  try {
    const bytes = await readFile(join(folder, `index-${key}.json.gz`))
    const doc = JSON.parse(
      gunzipSync(bytes, { maxOutputLength: maxIndexBytes }).toString("utf8")
    ) as {
      key?: unknown
      entries?: unknown
    }
    if (doc.key !== key || !Array.isArray(doc.entries)) return new Map()
    return new Map((doc.entries as Array<Entry>).map((e) => [e.uri, e]))
  } catch {
    return new Map()
  }
}

/**
 * Keeps the entries in `folder` (written to a temporary name, then renamed). URLs carrying credentials are
 * left out: nothing persisted holds a secret. Failures are ignored (the index is a cache).
 */
export const save = async (
  folder: string,
  key: string,
  entries: ReadonlyArray<Entry>
): Promise<void> => {
  try {
    await mkdir(folder, { recursive: true })
    const kept = entries.filter((e) => Redact.forRecord(e.uri) === e.uri)
    const path = join(folder, `index-${key}.json.gz`)
    const temporary = `${path}.${process.pid}.tmp`
    await writeFile(temporary, gzipSync(Buffer.from(JSON.stringify({ key, entries: kept }))))
    await rename(temporary, path)
    // One index per folder: those of an earlier date rule are dropped (the cache stays bounded).
    for (const name of await readdir(folder))
      if (/^index-[0-9a-f]{16}\.json\.gz$/.test(name) && name !== `index-${key}.json.gz`)
        await unlink(join(folder, name)).catch(() => undefined)
  } catch {
    // A cache that cannot be written is only a slower next build.
  }
}
