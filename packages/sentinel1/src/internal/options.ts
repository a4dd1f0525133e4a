// The `sentinel1-grd` reader's options: their meaning, and their check at recipe load (a DEM named as another
// product of the recipe or as a path/URL, a vertical datum, a backscatter target, noise removal).
import type { SourceKind } from "@eoforge/sources"
import type * as Geoid from "../Geoid.ts"

/** Reader options (a preset's or a recipe product's `readerOptions`). */
export interface Options {
  /** Path or URL of a DEM raster covering the patches (e.g. a Copernicus GLO-30 mosaic); absent: ellipsoid-only. */
  readonly dem?: string
  /** Id of another product of the recipe holding the DEM (e.g. cop-dem-glo-30, srtmgl1), read for each patch. */
  readonly demProduct?: string
  /** Vertical datum of the DEM (default egm96; GLO-30 is EGM2008, within a few metres of it). */
  readonly demDatum?: Geoid.VerticalDatum
  /** sigma0 (default), beta0 or gamma0. */
  readonly target?: "sigma0" | "beta0" | "gamma0"
  /** Subtract thermal noise (default true). */
  readonly denoise?: boolean
}

type Raw = Readonly<Record<string, string | number | boolean>>

const known = ["dem", "demProduct", "demDatum", "target", "denoise"]

/** The options of a preset's `readerOptions` (already checked at recipe load; anything else ignored). */
export const fromRaw = (o: Raw): Options => {
  const str = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : undefined)
  const dem = str("dem")
  const demProduct = str("demProduct")
  const datum = str("demDatum")
  const target = str("target")
  return {
    ...(dem === undefined ? {} : { dem }),
    ...(demProduct === undefined ? {} : { demProduct }),
    ...(datum === "ellipsoid" || datum === "egm96" ? { demDatum: datum } : {}),
    ...(target === "beta0" || target === "gamma0" || target === "sigma0" ? { target } : {}),
    ...(o["denoise"] === false ? { denoise: false } : {})
  }
}

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s)
const isPath = (s: string) => /[/\\]/.test(s) || /\.[a-z0-9]{2,5}$/i.test(s)

/**
 * Checks a recipe's options at load: `dem` names a product of the recipe (→ `demProduct`) or is a path
 * (resolved against the recipe's folder) or URL; the other keys have their known values. A message naming
 * the option and the fix otherwise.
 */
export const resolve = (
  o: Raw,
  context: SourceKind.OptionsContext
): SourceKind.ResolvedOptions | string => {
  const where = `readerOptions of product ${context.product}`
  for (const k of Object.keys(o)) {
    if (!known.includes(k))
      return `${where}: unknown option "${k}"; the sentinel-1-grd reader knows ${known.join(", ")}`
  }
  const out: Record<string, string | number | boolean> = {}
  const products: Array<string> = []
  const demOf = (key: string, v: string | number | boolean): string | undefined => {
    if (typeof v !== "string" || v === "")
      return `${where}: ${key} must be a product id, a path or a URL`
    if (v === context.product)
      return `${where}: ${key} names the product itself; name the DEM product`
    if (context.products.includes(v)) {
      out["demProduct"] = v
      products.push(v)
      return undefined
    }
    if (key === "demProduct")
      return `${where}: demProduct "${v}" is not a product of this recipe (products: ${context.products.join(", ")})`
    if (isUrl(v)) out["dem"] = v
    else if (isPath(v)) out["dem"] = context.resolvePath(v)
    else
      return `${where}: dem "${v}" is neither a product of this recipe (products: ${context.products.join(", ")}) nor a path or URL of a DEM raster; name a DEM product (e.g. one with preset cop-dem-glo-30 or srtmgl1) or give a path/URL`
    return undefined
  }
  if (o["dem"] !== undefined && o["demProduct"] !== undefined)
    return `${where}: give dem or demProduct, not both`
  for (const key of ["dem", "demProduct"]) {
    if (o[key] === undefined) continue
    const problem = demOf(key, o[key])
    if (problem !== undefined) return problem
  }
  const datum = o["demDatum"]
  if (datum !== undefined) {
    if (datum !== "egm96" && datum !== "ellipsoid")
      return `${where}: demDatum "${String(datum)}" is not egm96 or ellipsoid (heights above the EGM96 geoid, or above the WGS84 ellipsoid)`
    out["demDatum"] = datum
  }
  const target = o["target"]
  if (target !== undefined) {
    if (target !== "sigma0" && target !== "beta0" && target !== "gamma0")
      return `${where}: target "${String(target)}" is not sigma0, beta0 or gamma0`
    out["target"] = target
  }
  const denoise = o["denoise"]
  if (denoise !== undefined) {
    if (typeof denoise !== "boolean") return `${where}: denoise must be true or false`
    out["denoise"] = denoise
  }
  return { options: out, products }
}
