// STAC items as returned by APIs and catalogues, and the properties EOForge reads from them.
// Items are kept as received (extension fields intact); accessors read datetime, cloud, projection and orbit.
import { Schema } from "effect"
import { ItemError } from "./StacError.ts"

/** A GeoJSON Polygon or MultiPolygon in (lon, lat) degrees. */
export type Geometry =
  | {
      readonly type: "Polygon"
      readonly coordinates: ReadonlyArray<ReadonlyArray<readonly [number, number]>>
    }
  | {
      readonly type: "MultiPolygon"
      readonly coordinates: ReadonlyArray<ReadonlyArray<ReadonlyArray<readonly [number, number]>>>
    }

/** A STAC asset: at least an href; extension fields (proj:*, raster:bands) kept as received. */
export interface Asset {
  readonly href: string
  readonly type?: string
  readonly roles?: ReadonlyArray<string>
  readonly [field: string]: unknown
}

/** A STAC link. */
export interface Link {
  readonly rel: string
  readonly href: string
  readonly type?: string
  readonly method?: string
  readonly body?: unknown
  readonly merge?: boolean
  readonly headers?: Readonly<Record<string, string>>
}

/** A STAC item (GeoJSON Feature). */
export interface Item {
  readonly type: "Feature"
  readonly id: string
  readonly collection?: string
  readonly geometry: Geometry | null
  readonly bbox?: ReadonlyArray<number>
  readonly properties: Readonly<Record<string, unknown>>
  readonly assets: Readonly<Record<string, Asset>>
  readonly links?: ReadonlyArray<Link>
}

const ItemShape = Schema.Struct({
  type: Schema.Literal("Feature"),
  id: Schema.String,
  collection: Schema.optional(Schema.String),
  properties: Schema.Record(Schema.String, Schema.Unknown),
  assets: Schema.Record(Schema.String, Schema.Struct({ href: Schema.String }))
})
const isItemShape = Schema.is(ItemShape)

/** Check that a JSON value is a STAC item; `where` names its origin in the error. */
export const validate = (value: unknown, where: string): Item | ItemError => {
  if (isItemShape(value)) return value as unknown as Item
  const id =
    typeof value === "object" &&
    value !== null &&
    typeof (value as { id?: unknown }).id === "string"
      ? (value as { id: string }).id
      : where
  return new ItemError({
    item: id,
    problem: "InvalidItem",
    detail: `not a STAC item (needs type "Feature", id, properties and assets with hrefs); found at ${where}`
  })
}

const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined

/** Acquisition instant in epoch milliseconds (datetime, else start_datetime), or undefined. */
export const datetimeMs = (item: Item): number | undefined => {
  const p = item.properties
  const s = typeof p.datetime === "string" ? p.datetime : p.start_datetime
  if (typeof s !== "string") return undefined
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : t
}

/** Scene cloud cover in percent (`eo:cloud_cover`), or undefined. */
export const cloudCover = (item: Item): number | undefined => num(item.properties["eo:cloud_cover"])

/** Relative orbit number (`sat:relative_orbit`), or undefined. */
export const relativeOrbit = (item: Item): number | undefined =>
  num(item.properties["sat:relative_orbit"])

/** Orbit direction (`sat:orbit_state`), or undefined. */
export const orbitState = (item: Item): string | undefined => {
  const v = item.properties["sat:orbit_state"]
  return typeof v === "string" ? v : undefined
}

/**
 * The CRS an item declares for an asset, carried as given (resolution into a definition is the raster
 * reader's job): an authority code (`proj:code` of the projection extension v2, or `proj:epsg` of v1 as
 * `EPSG:n`), a WKT2 string, a PROJJSON object, or `none` (`proj:epsg: null` alone: no EPSG code, the file's
 * own georeferencing decides).
 */
export type CrsRef =
  | { readonly _tag: "Code"; readonly code: string }
  | { readonly _tag: "Wkt2"; readonly wkt: string }
  | { readonly _tag: "ProjJson"; readonly projjson: Readonly<Record<string, unknown>> }
  | { readonly _tag: "None" }

/** What the projection extension says about an asset; every field optional (the file then decides). */
export interface Projection {
  readonly crs?: CrsRef
  /** `proj:transform`: 6 or 9 affine coefficients (GDAL order after the first six). */
  readonly transform?: ReadonlyArray<number>
  /** `proj:shape`: [rows, columns]. */
  readonly shape?: readonly [number, number]
}

/** Why a projection field cannot be used (malformed, not merely absent). */
export interface ProjectionProblem {
  readonly problem: "NoProjection" | "NoTransform"
  readonly detail: string
}

const codePattern = /^[A-Za-z][A-Za-z0-9_.-]*:[A-Za-z0-9_.-]+$/

/** The CRS fields of one object (asset or item properties): undefined when it has none. */
const crsOf = (o: Readonly<Record<string, unknown>>): CrsRef | ProjectionProblem | undefined => {
  const code = o["proj:code"]
  if (code !== undefined && code !== null) {
    if (typeof code !== "string" || !codePattern.test(code))
      return {
        problem: "NoProjection",
        detail: `proj:code ${JSON.stringify(code)} is not an "AUTHORITY:CODE" string such as "EPSG:32633" or "ESRI:54009"`
      }
    return { _tag: "Code", code }
  }
  const e = o["proj:epsg"]
  if (typeof e === "number") {
    if (!Number.isInteger(e) || e <= 0)
      return {
        problem: "NoProjection",
        detail: `proj:epsg ${e} is not a positive integer EPSG code`
      }
    return { _tag: "Code", code: `EPSG:${e}` }
  }
  if (e !== undefined && e !== null)
    return {
      problem: "NoProjection",
      detail: `proj:epsg ${JSON.stringify(e)} is neither an integer EPSG code nor null`
    }
  const wkt = o["proj:wkt2"]
  if (typeof wkt === "string" && wkt.trim().length > 0) return { _tag: "Wkt2", wkt }
  if (wkt !== undefined && wkt !== null)
    return { problem: "NoProjection", detail: "proj:wkt2 is not a non-empty WKT2 string" }
  const pj = o["proj:projjson"]
  if (typeof pj === "object" && pj !== null && !Array.isArray(pj))
    return { _tag: "ProjJson", projjson: pj as Record<string, unknown> }
  if (pj !== undefined && pj !== null)
    return { problem: "NoProjection", detail: "proj:projjson is not a PROJJSON object" }
  if (e === null) return { _tag: "None" }
  return undefined
}

const isProblem = (v: unknown): v is ProjectionProblem =>
  typeof v === "object" && v !== null && "problem" in v

/**
 * The projection of an asset: each field from the asset when it has it, else from the item's properties
 * (projection extension v1 and v2). A malformed field is a problem; absent fields are simply absent.
 */
export const projection = (item: Item, assetKey: string): Projection | ProjectionProblem => {
  const a: Readonly<Record<string, unknown>> = item.assets[assetKey] ?? {}
  const p = item.properties
  const crs = crsOf(a) ?? crsOf(p)
  if (isProblem(crs)) return crs
  const rawT = a["proj:transform"] ?? p["proj:transform"]
  let transform: ReadonlyArray<number> | undefined
  if (rawT !== undefined && rawT !== null) {
    if (
      !Array.isArray(rawT) ||
      !(rawT.length === 6 || rawT.length === 9) ||
      !rawT.every((x) => num(x) !== undefined)
    )
      return {
        problem: "NoTransform",
        detail: `proj:transform ${JSON.stringify(rawT)} is not 6 or 9 numbers`
      }
    transform = rawT as ReadonlyArray<number>
  }
  const rawS = a["proj:shape"] ?? p["proj:shape"]
  let shape: readonly [number, number] | undefined
  if (rawS !== undefined && rawS !== null) {
    if (
      !Array.isArray(rawS) ||
      rawS.length !== 2 ||
      !rawS.every((x) => Number.isInteger(x) && (x as number) > 0)
    )
      return {
        problem: "NoTransform",
        detail: `proj:shape ${JSON.stringify(rawS)} is not [rows, columns]`
      }
    shape = [rawS[0] as number, rawS[1] as number]
  }
  return {
    ...(crs === undefined ? {} : { crs }),
    ...(transform === undefined ? {} : { transform }),
    ...(shape === undefined ? {} : { shape })
  }
}

/** The EPSG code of an asset when it declares one (`proj:epsg`, or `proj:code` `EPSG:n`), else undefined. */
export const epsg = (item: Item, assetKey: string): number | undefined => {
  const p = projection(item, assetKey)
  if (isProblem(p) || p.crs?._tag !== "Code") return undefined
  const m = /^EPSG:(\d+)$/i.exec(p.crs.code)
  return m ? Number(m[1]) : undefined
}

/** The affine `proj:transform` of an asset (asset-level, else the item's), as 6 or 9 numbers. */
export const transform = (item: Item, assetKey: string): ReadonlyArray<number> | undefined => {
  const p = projection(item, assetKey)
  return isProblem(p) ? undefined : p.transform
}

/** Whether a media type names a GeoTIFF (COG or not). */
export const isGeoTiffType = (type: string): boolean => {
  const t = type.toLowerCase().replace(/\s+/g, "")
  return (
    t.startsWith("image/tiff") || t.startsWith("image/geotiff") || t === "image/vnd.stac.geotiff"
  )
}

/** Whether a media type names a JPEG 2000 file (JP2 boxes, JPX, or a raw codestream), as Sentinel-2 L1C. */
export const isJpeg2000Type = (type: string): boolean => {
  const t = type.toLowerCase().replace(/\s+/g, "")
  return t.startsWith("image/jp2") || t.startsWith("image/jpx") || t.startsWith("image/j2c")
}

/**
 * Whether a media type names another container EOForge's raster reader opens: NetCDF (3 is refused by the
 * reader with its own message), HDF5 and HDF4 (`application/x-hdf` is HDF4 in MODIS' and NASA's catalogues),
 * and zip archives (a raster member inside, as GHS tiles and SRTMGL1 ship).
 */
export const isContainerType = (type: string): boolean => {
  const t = type.toLowerCase().replace(/\s+/g, "")
  return (
    t.startsWith("application/netcdf") ||
    t.startsWith("application/x-netcdf") ||
    t.startsWith("application/x-hdf") ||
    t.startsWith("application/x-hdf5") ||
    t.startsWith("application/zip") ||
    t.startsWith("application/x-zip")
  )
}

/**
 * Check that an asset exists and is a raster EOForge reads (GeoTIFF/COG, JPEG 2000, NetCDF-4/HDF5, HDF4, or
 * a zip holding one of them); with `projected`, also that its projection fields, when
 * present, are well formed (absent ones fall back to the file's georeferencing).
 */
export const checkAsset = (
  item: Item,
  assetKey: string,
  projected: boolean
): ItemError | undefined => {
  const asset = item.assets[assetKey]
  const err = (problem: ItemError["problem"], detail: string) =>
    new ItemError({ item: item.id, asset: assetKey, problem, detail })
  if (asset === undefined) {
    return err(
      "MissingAsset",
      `no such asset (item has ${Object.keys(item.assets).join(", ") || "none"}); fix the band → asset mapping`
    )
  }
  // A catalogue may put anything in `type`: only a string can name a raster format.
  const type: unknown = asset.type
  if (
    type !== undefined
      ? typeof type !== "string" ||
        !(isGeoTiffType(type) || isJpeg2000Type(type) || isContainerType(type))
      : !/\.(tiff?|jp2|j2k|nc|nc4|h5|hdf5?|he5|hdf|zip|hgt)($|[?#])/i.test(asset.href)
  ) {
    return err(
      "NotGeoTiff",
      `media type ${typeof type === "string" ? type : (JSON.stringify(type) ?? "(none)")} is not a raster format EOForge reads (GeoTIFF/COG, JPEG 2000, NetCDF-4/HDF5, HDF4, zip) — choose such an asset or collection`
    )
  }
  if (projected) {
    // Projection fields are optional (the file's own georeferencing is used); malformed ones are refused.
    const p = projection(item, assetKey)
    if (isProblem(p)) return err(p.problem, `${p.detail}; fix the item or drop the field`)
  }
  return undefined
}

/**
 * Scale and offset of the first band of an asset, when given: STAC 1.0 `raster:bands[0].scale/offset`, or
 * STAC 1.1 `raster:scale`/`raster:offset` on `bands[0]` or on the asset itself (CDSE).
 */
export const scaling = (
  item: Item,
  assetKey: string
): { readonly scale?: number; readonly offset?: number } => {
  const asset = item.assets[assetKey] as Record<string, unknown> | undefined
  const first = (v: unknown): Record<string, unknown> | undefined =>
    Array.isArray(v) && typeof v[0] === "object" && v[0] !== null
      ? (v[0] as Record<string, unknown>)
      : undefined
  const old = first(asset?.["raster:bands"])
  const band = first(asset?.bands)
  const scale = num(old?.scale) ?? num(band?.["raster:scale"]) ?? num(asset?.["raster:scale"])
  const offset = num(old?.offset) ?? num(band?.["raster:offset"]) ?? num(asset?.["raster:offset"])
  return { ...(scale === undefined ? {} : { scale }), ...(offset === undefined ? {} : { offset }) }
}

/**
 * The href to read for an asset: with `prefer` (e.g. `https`), an `alternate` entry named so (by key or
 * `alternate:name`, any case) or whose href has that scheme; else the asset's own href.
 */
export const assetHref = (item: Item, assetKey: string, prefer?: string): string => {
  const asset = item.assets[assetKey]!
  if (prefer === undefined) return asset.href
  const alternates = (asset as Record<string, unknown>).alternate
  if (typeof alternates !== "object" || alternates === null) return asset.href
  const p = prefer.toLowerCase()
  const entries = Object.entries(alternates as Record<string, unknown>).flatMap(([k, v]) =>
    typeof v === "object" && v !== null && typeof (v as { href?: unknown }).href === "string"
      ? [[k, v as { readonly href: string; readonly "alternate:name"?: unknown }] as const]
      : []
  )
  const named = entries.find(
    ([k, v]) =>
      k.toLowerCase() === p ||
      (typeof v["alternate:name"] === "string" && v["alternate:name"].toLowerCase() === p)
  )
  const bySchema = entries.find(([, v]) => v.href.toLowerCase().startsWith(`${p}:`))
  return (named ?? bySchema)?.[1].href ?? asset.href
}

/** The processing baseline of a Sentinel-2 item (`s2:processing_baseline`, else STAC 1.1 `processing:version`), e.g. `05.10`. */
export const processingBaseline = (item: Item): string | undefined => {
  const p = item.properties as Record<string, unknown>
  const v = p["s2:processing_baseline"] ?? p["processing:version"]
  return typeof v === "string" && /^\d{1,2}\.\d{1,2}$/.test(v.trim()) ? v.trim() : undefined
}
