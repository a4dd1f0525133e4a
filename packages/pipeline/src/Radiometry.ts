// Radiometric harmonisation of chips: values read from an item are brought onto the radiometry the product
// declares (its bands' scale and offset) from the scale and offset the item declares, or its baseline implies.
import type { Band, DType } from "@eoforge/core"
import type { Find } from "@eoforge/stac"
import { StacItem } from "@eoforge/stac"

/** The source radiometry of a chip: its processing baseline and the scale/offset its values were read at. */
export interface Source {
  readonly baseline?: string
  readonly scale: number
  readonly offset: number
}

/** A processing baseline `MM.mm` as a comparable number (MM × 100 + mm). */
export const baselineNumber = (b: string): number => {
  const [major = "0", minor = "0"] = b.split(".")
  return Number(major) * 100 + Number(minor)
}

/** The scale/offset `radiometry` assumes for an item of `baseline` that declares none. */
export const defaultFor = (
  radiometry: Band.Radiometry,
  baseline: string | undefined
): { readonly scale: number; readonly offset: number } | undefined => {
  const rules = radiometry.defaults ?? []
  if (baseline === undefined) return undefined
  let chosen: (typeof rules)[number] | undefined
  for (const r of rules) if (baselineNumber(r.fromBaseline) <= baselineNumber(baseline)) chosen = r
  return chosen === undefined ? undefined : { scale: chosen.scale, offset: chosen.offset }
}

/**
 * The source radiometry of the assets `refs` (one per item of a mosaic) of `found`: the asset's
 * `raster:bands`/`raster:scale` values, else the product's default for the item's baseline. Undefined when
 * neither says anything (values are then stored as read); a message when a mosaic's items disagree.
 */
export const sourceOf = (
  radiometry: Band.Radiometry,
  found: Find.Found,
  refs: ReadonlyArray<Find.AssetRef>
): Source | undefined | string => {
  let first: Source | undefined
  for (const ref of refs) {
    const item = found.items.find((i) => i.id === ref.item)
    const baseline = item === undefined ? undefined : StacItem.processingBaseline(item)
    const fallback = defaultFor(radiometry, baseline)
    const scale = ref.scale ?? fallback?.scale
    const offset = ref.offset ?? fallback?.offset ?? (ref.scale === undefined ? undefined : 0)
    if (scale === undefined || offset === undefined) return undefined
    const here: Source = { ...(baseline === undefined ? {} : { baseline }), scale, offset }
    if (first === undefined) first = here
    else if (first.scale !== here.scale || first.offset !== here.offset)
      return `the mosaic's items have different radiometry (${first.scale}/${first.offset} and ${here.scale}/${here.offset}): they cannot share a chip`
  }
  return first
}

/** `stored = a × read + b`: the linear map from a source's scale/offset onto a band's (identity when absent). */
export const linear = (
  source: Source | undefined,
  band: Pick<Band.BandSpec, "scale" | "offset">
): { readonly a: number; readonly b: number } => {
  if (source === undefined) return { a: 1, b: 0 }
  const scale = band.scale ?? 1
  const offset = band.offset ?? 0
  return { a: source.scale / scale, b: (source.offset - offset) / scale }
}

/** Whether `a × v + b` leaves values as they are (within 1e-12 of a, 1e-9 of b). */
export const isIdentity = (map: { readonly a: number; readonly b: number }): boolean =>
  Math.abs(map.a - 1) < 1e-12 && Math.abs(map.b) < 1e-9

/** `values` mapped by `a × v + b` (a new float array), or `values` itself for the identity. */
export const apply = (
  values: DType.TypedArray,
  map: { readonly a: number; readonly b: number }
): DType.TypedArray => {
  if (isIdentity(map)) return values
  const out = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = map.a * (values[i] as number) + map.b
  return out
}
