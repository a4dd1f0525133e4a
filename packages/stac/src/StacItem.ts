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

const epsgOf = (o: Readonly<Record<string, unknown>>): number | undefined => {
  const e = num(o["proj:epsg"])
  if (e !== undefined) return e
  const code = o["proj:code"]
  if (typeof code === "string") {
    const m = /^EPSG:(\d+)$/i.exec(code)
    if (m) return Number(m[1])
  }
  return undefined
}

/** The EPSG code of an asset (asset-level `proj:epsg`/`proj:code`, else the item's). */
export const epsg = (item: Item, assetKey: string): number | undefined => {
  const a = item.assets[assetKey]
  return (a === undefined ? undefined : epsgOf(a)) ?? epsgOf(item.properties)
}

/** The affine `proj:transform` of an asset (asset-level, else the item's), as 6 or 9 numbers. */
export const transform = (item: Item, assetKey: string): ReadonlyArray<number> | undefined => {
  const ok = (v: unknown): v is ReadonlyArray<number> =>
    Array.isArray(v) && (v.length === 6 || v.length === 9) && v.every((x) => num(x) !== undefined)
  const a = item.assets[assetKey]?.["proj:transform"]
  if (ok(a)) return a
  const p = item.properties["proj:transform"]
  return ok(p) ? p : undefined
}

/** Whether a media type names a GeoTIFF (COG or not). */
export const isGeoTiffType = (type: string): boolean => {
  const t = type.toLowerCase().replace(/\s+/g, "")
  return (
    t.startsWith("image/tiff") || t.startsWith("image/geotiff") || t === "image/vnd.stac.geotiff"
  )
}

/** Check that an asset exists and is a GeoTIFF; with `projected`, also that it has a CRS and transform. */
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
  // A catalogue may put anything in `type`: only a string can name a GeoTIFF.
  const type: unknown = asset.type
  if (
    type !== undefined
      ? typeof type !== "string" || !isGeoTiffType(type)
      : !/\.tiff?($|\?)/i.test(asset.href)
  ) {
    return err(
      "NotGeoTiff",
      `media type ${typeof type === "string" ? type : (JSON.stringify(type) ?? "(none)")} is not a GeoTIFF; EOForge reads GeoTIFF/COG assets only — choose a COG asset or collection`
    )
  }
  if (projected && epsg(item, assetKey) === undefined) {
    return err(
      "NoProjection",
      "no proj:epsg or proj:code on the asset or item; the source CRS is unknown"
    )
  }
  if (projected && transform(item, assetKey) === undefined) {
    return err("NoTransform", "no proj:transform on the asset or item; the source grid is unknown")
  }
  return undefined
}

/** Scale and offset of the first raster band of an asset (`raster:bands`), when given. */
export const scaling = (
  item: Item,
  assetKey: string
): { readonly scale?: number; readonly offset?: number } => {
  const bands = item.assets[assetKey]?.["raster:bands"]
  if (
    !Array.isArray(bands) ||
    bands.length === 0 ||
    typeof bands[0] !== "object" ||
    bands[0] === null
  ) {
    return {}
  }
  const b = bands[0] as Record<string, unknown>
  const scale = num(b.scale)
  const offset = num(b.offset)
  return { ...(scale === undefined ? {} : { scale }), ...(offset === undefined ? {} : { offset }) }
}
