// The `tiled-archive` source kind: a global archive cut into regular lat/lon tiles at a URL template
// (`https://host/{tile}/{tile}_{season}_vv_COH12.tif`, `s3://bucket/{tile}.SRTMGL1.hgt.zip#member=…`, a local
// folder). Finding is arithmetic on the patch footprint (no search request): the tiles it touches, each
// probed once for existence (HEAD, or opening the file, under the access policy). Tiles that do not exist are
// left out (ocean, no data); a patch none of whose tiles exists is NotCovered, naming them. Several tiles are a
// mosaic, read by the pipeline's raster reader as STAC mosaics are.
import { Guarded } from "@eoforge/access"
import { AccessPolicy, Reason, Redact } from "@eoforge/core"
import { SourceKind } from "@eoforge/sources"
import type { Find, TimeSlots } from "@eoforge/stac"
import { Effect, Redacted } from "effect"
import { listingOf, matchListing, type Listing } from "./internal/listing.ts"
import * as Tiling from "./Tiling.ts"

/** The recipe `type` of this kind. */
export const type = "tiled-archive"

/** A tiled archive as the recipe describes it (validated by `prepare`). */
export interface Entry {
  /** URL or recipe-relative path template with `{tile}`; also `{asset}`, `{slot}`, `{year}` and `values` keys. */
  readonly url: string
  readonly tiling: Tiling.Tiling
  /** The acquisition instant: one ISO date, or one per slot id (default: the slot's reference instant). */
  readonly datetime?: string | Readonly<Record<string, string>>
  /** More template keys, each a value per slot id (e.g. `season: { spring: spring, summer: summer }`). */
  readonly values?: Readonly<Record<string, Readonly<Record<string, string>>>>
}

const builtIn = ["tile", "asset", "slot", "year", "epoch"]

/** The GHSL epoch of a year: the nearest of 1975, 1980, … 2030 (integer years never tie). */
export const epochOf = (year: number): number =>
  Math.min(2030, Math.max(1975, 1975 + 5 * Math.round((year - 1975) / 5)))

const fail = (key: string, message: string): never => {
  throw new SourceKind.SourceCheckError({ source: key, message: `source "${key}": ${message}` })
}

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

const isRemote = (url: string): boolean => /^(https?|s3):\/\//i.test(url)

/** Validates a recipe entry; throws SourceCheckError naming the key and the fix. */
export const entryOf = (raw: Readonly<Record<string, unknown>>, key: string): Entry => {
  const { url, tiling, datetime, values } = raw
  if (typeof url !== "string" || !url.includes("{tile}"))
    fail(key, "url must be a template containing {tile}, e.g. https://host/{tile}.tif")
  if (typeof tiling !== "string" || !(Tiling.tilings as ReadonlyArray<string>).includes(tiling))
    fail(key, `tiling must be one of ${Tiling.tilings.join(", ")} (got ${String(tiling)})`)
  if (values !== undefined && !isRecord(values))
    fail(key, "values must map a key to { slot: value }")
  const extra = Object.keys((values ?? {}) as object)
  for (const [, name] of (url as string).matchAll(/\{([^}]*)\}/g)) {
    if (!builtIn.includes(name!) && !extra.includes(name!))
      fail(
        key,
        `url names {${name}}, which is neither ${builtIn.map((b) => `{${b}}`).join(", ")} nor a key of values:`
      )
  }
  if (
    datetime !== undefined &&
    !(typeof datetime === "string" && !Number.isNaN(Date.parse(datetime))) &&
    !(
      isRecord(datetime) &&
      Object.values(datetime).every((d) => typeof d === "string" && !Number.isNaN(Date.parse(d)))
    )
  )
    fail(key, "datetime must be an ISO date or { slot: ISO date }")
  return raw as unknown as Entry
}

/** The URL of one tile × asset × slot (`undefined` names the template key the slot has no value for). */
export const urlOf = (
  template: string,
  values: Entry["values"],
  tile: string,
  asset: string,
  slot: TimeSlots.Slot
): { readonly url: string } | { readonly missingKey: string } => {
  let missingKey: string | undefined
  const url = template.replace(/\{([^}]*)\}/g, (_, name: string) => {
    if (name === "tile") return tile
    if (name === "asset") return asset
    if (name === "slot") return slot.id
    if (name === "year") return String(new Date(slot.reference).getUTCFullYear())
    if (name === "epoch") return String(epochOf(new Date(slot.reference).getUTCFullYear()))
    const value = values?.[name]?.[slot.id]
    if (value === undefined) missingKey = name
    return value ?? ""
  })
  return missingKey === undefined ? { url } : { missingKey }
}

/** A probe's answer: the file exists (at `url`, a glob resolved), is absent, or could not be checked. */
type Probe = { readonly exists: string } | "absent" | { readonly error: string }

// Whether a URL or file exists, under the access policy and with the recipe's credentials. Servers that refuse
// HEAD (405, 501) are asked for the first byte instead. A `*` in the file name is resolved against the
// folder's listing first (the greatest matching name: the newest production time of MODIS-style names).
const probeOnce = async (
  url: string,
  guard: Guarded.Guard,
  listing: (folder: string) => Promise<Listing>
): Promise<Probe> => {
  const hash = url.indexOf("#")
  let at = hash < 0 ? url : url.slice(0, hash)
  const fragment = hash < 0 ? "" : url.slice(hash)
  try {
    if (/[*?]/.test(at.slice(at.lastIndexOf("/") + 1))) {
      const slash = at.lastIndexOf("/")
      const names = await listing(at.slice(0, slash + 1))
      if (typeof names === "object" && !Array.isArray(names)) return names as { error: string }
      const name = names === "absent" ? undefined : matchListing(names, at.slice(slash + 1))
      if (name === undefined) return "absent"
      at = at.slice(0, slash + 1) + name
      return { exists: at + fragment }
    }
    if (!isRemote(at)) {
      const handle = await Guarded.openFile(at, guard)
      await handle.close()
      return { exists: url }
    }
    let res = await Guarded.request(at, { method: "HEAD" }, guard)
    res.discard()
    if (res.status === 405 || res.status === 501) {
      res = await Guarded.request(at, { headers: { range: "bytes=0-0" } }, guard)
      res.discard()
    }
    if (res.status >= 200 && res.status < 300) return { exists: url }
    if (res.status === 404 || res.status === 410) return "absent"
    return { error: `HTTP ${res.status}` }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "absent"
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

// One probe per URL (and one listing per folder) for the life of the source; failures are not remembered (the
// next patch asks again).
const prober = (guard: Guarded.Guard) => {
  const cache = new Map<string, Promise<Probe>>()
  const listings = new Map<string, Promise<Listing>>()
  const listing = (folder: string): Promise<Listing> => {
    let l = listings.get(folder)
    if (l === undefined) {
      l = listingOf(folder, guard).then((r) => {
        if (typeof r === "object" && !Array.isArray(r)) listings.delete(folder)
        return r
      })
      listings.set(folder, l)
    }
    return l
  }
  return (url: string): Promise<Probe> => {
    let p = cache.get(url)
    if (p === undefined) {
      p = probeOnce(url, guard, listing).then((r) => {
        if (typeof r === "object" && "error" in r) cache.delete(url)
        return r
      })
      cache.set(url, p)
    }
    return p
  }
}

const instantOf = (entry: Entry, slot: TimeSlots.Slot): number => {
  const d = entry.datetime
  const iso = typeof d === "string" ? d : d?.[slot.id]
  return iso === undefined ? slot.reference : Date.parse(iso)
}

/** Prepares a tiled archive from its recipe entry. */
export const prepare = (
  raw: Readonly<Record<string, unknown>>,
  context: SourceKind.PrepareContext
): SourceKind.Source => {
  const entry = entryOf(raw, context.key)
  const template = isRemote(entry.url) ? entry.url : context.resolvePath(entry.url)
  const probe = prober({ policy: context.access, auth: context.auth })
  const find = (request: SourceKind.FindRequest) =>
    Effect.promise(async (): Promise<Find.Found | Find.Missing> => {
      const { patch, preset, slot } = request
      const missing = (reason: Reason.Reason, detail: string): Find.Missing => ({
        _tag: "Missing",
        slot: slot.id,
        reason,
        detail
      })
      const binding = Object.values(preset.bindings)[0]
      const bands = preset.spec.bands.map((b) => ({
        band: b.name,
        asset: binding?.assets[b.name] ?? b.name
      }))
      const cover = Tiling.coverOf(entry.tiling, patch)
      const tiles = cover.tiles
      const present: Array<{ tile: Tiling.Tile; urls: ReadonlyArray<string> }> = []
      const absent: Array<string> = []
      for (const tile of tiles) {
        const urls: Array<string> = []
        for (const { asset } of bands) {
          const u = urlOf(template, entry.values, tile.name, asset, slot)
          if ("missingKey" in u)
            return missing(
              Reason.Reason.Unsupported,
              `source ${context.key}: values.${u.missingKey} has no value for slot ${slot.id}; add one`
            )
          urls.push(u.url)
        }
        const unique = [...new Set(urls)]
        const probes = await Promise.all(unique.map(probe))
        const error = probes.find((p) => typeof p === "object" && "error" in p)
        if (typeof error === "object" && "error" in error)
          return missing(
            Reason.Reason.SourceError,
            `tile ${tile.name} of source ${context.key} (${Redact.forRecord(urls[0]!)}): ${Redact.inText(error.error)}`
          )
        const resolved = new Map(
          unique
            .map((u, i) => [u, probes[i]] as const)
            .flatMap(([u, p]) =>
              typeof p === "object" && "exists" in p ? [[u, p.exists] as const] : []
            )
        )
        if (resolved.size === unique.length)
          present.push({ tile, urls: urls.map((u) => resolved.get(u)!) })
        else absent.push(tile.name)
      }
      if (present.length === 0) {
        const example = urlOf(template, entry.values, absent[0] ?? "", bands[0]?.asset ?? "", slot)
        const where = "url" in example ? ` (${Redact.forRecord(example.url)})` : ""
        return missing(
          Reason.Reason.NotCovered,
          `the archive of source ${context.key} has no tile ${absent.join(", ")}${where}`
        )
      }
      const datetime = instantOf(entry, slot)
      const assets: Record<string, Array<Find.AssetRef>> = {}
      bands.forEach(({ band, asset }, i) => {
        assets[band] = present.map(({ tile, urls }) => ({
          item: tile.name,
          key: asset,
          href: Redact.forRecord(urls[i]!),
          url: Redacted.make(urls[i]!)
        }))
      })
      return {
        _tag: "Found",
        slot: slot.id,
        window: { start: slot.start, end: slot.end },
        fallback: false,
        items: present.map(({ tile }) => ({
          type: "Feature" as const,
          id: tile.name,
          geometry: {
            type: "Polygon",
            coordinates: [
              [
                [tile.west, tile.south],
                [tile.east, tile.south],
                [tile.east, tile.north],
                [tile.west, tile.north],
                [tile.west, tile.south]
              ]
            ]
          },
          bbox: [tile.west, tile.south, tile.east, tile.north],
          properties: { datetime: new Date(datetime).toISOString() },
          assets: {}
        })),
        assets,
        datetime,
        mosaic: present.length > 1,
        coverage: cover.coverage(present.map((p) => p.tile))
      }
    })
  // The archive's host or folder must be one the recipe's access policy allows.
  const check = Effect.suspend(() => {
    const at = template.replace(/\{[^}]*\}/g, "x").split("#")[0]!
    const decision = isRemote(at)
      ? at.startsWith("s3:")
        ? { _tag: "Allowed" as const }
        : AccessPolicy.checkUrl(context.access, at)
      : AccessPolicy.checkPath(context.access, at)
    return decision._tag === "Refused"
      ? Effect.fail(
          new SourceKind.SourceCheckError({
            source: context.key,
            message: `source "${context.key}": ${Redact.forRecord(entry.url)} is not allowed (${decision.reason}); add its host to access.hosts or its folder to access.localRoots`
          })
        )
      : Effect.void
  })
  return { find, check }
}

/** The `tiled-archive` kind, for the pipeline's registry. */
export const kind: SourceKind.Kind = { type, prepare }
