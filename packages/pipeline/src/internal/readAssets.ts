// Reading a found acquisition's band assets onto a patch's grid into a chip's arrays (Extract.ts): bands
// sharing an asset read in one pass, harmonised and stored in the product's dtype, failures as reason codes.
import { type DType, type PixelGrid, Reason } from "@eoforge/core"
import { Mosaic, RasterAccess, RasterSource } from "@eoforge/raster"
import { type Find, StacClient } from "@eoforge/stac"
import { Effect, Redacted } from "effect"
import { convert, convertLinear } from "./storeValues.ts"
import { clearMasked } from "./validity.ts"
import type { Opener } from "../Opener.ts"
import * as Output from "../Output.ts"
import * as Radiometry from "../Radiometry.ts"
import type { ProductPlan } from "../Products.ts"

// Band b's values (native to the preset, harmonised) into `out`: converted to the stored dtype, or through
// the product's output transform (which clears `valid` where a value is NaN).
export const storeBand = (
  product: ProductPlan,
  values: DType.TypedArray,
  b: number,
  out: DType.TypedArray,
  valid: Uint8Array
): void => {
  const t = product.spec.output
  if (t === undefined) {
    convert(values, out, b * values.length, product.spec.dtype, product.preset.valueTransform)
  } else {
    const native = product.preset.spec.bands[b]
    Output.apply(values, native, product.preset.valueTransform, t, out, b * values.length, valid)
  }
}

/**
 * Reads each band's assets onto `grid` into `out` (band-major, product dtype) and clears `valid` where a
 * band has no data; the reason when an asset cannot be read.
 */
export const readAssets = Effect.fnUntraced(function* (
  found: Find.Found,
  grid: PixelGrid.PixelGrid,
  product: ProductPlan,
  open: Opener,
  out: DType.TypedArray,
  valid: Uint8Array,
  state: {
    readonly classes: Record<string, Readonly<Record<string, string>>>
    radiometry?: Radiometry.Source | undefined
  }
) {
  const n = grid.width * grid.height
  const bands = product.spec.bands
  const rules = product.rules
  // Bands that share an asset and a resampling rule are read in one pass.
  const groups = new Map<string, Array<number>>()
  bands.forEach((band, b) => {
    const refs = found.assets[band.name] ?? []
    const key = `${refs.map((r) => r.href).join("|")}#${band.resampling ?? "nearest"}`
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [b])
    else group.push(b)
  })
  // Raster reads obey the source's access policy too (files' types and real paths, resolved addresses).
  const source = rules.source ?? StacClient.api(rules.provider.url, undefined, product.auth)
  const access =
    rules.source !== undefined
      ? StacClient.accessOf(rules.source)
      : (product.access ?? StacClient.accessOf(source))
  // Every group's files are read at once (over a network each costs round trips, not CPU), then the
  // results are taken in band order, so the chip, its reason and its class names are as read one by one.
  const list = [...groups.values()]
  const scalings = list.map((members) =>
    product.spec.radiometry === undefined
      ? undefined
      : Radiometry.sourceOf(
          product.spec.radiometry,
          found,
          found.assets[bands[members[0]].name] ?? []
        )
  )
  const unsupported = scalings.findIndex((x) => typeof x === "string")
  const readable = unsupported < 0 ? list : list.slice(0, unsupported)
  const reads = yield* Effect.forEach(
    readable,
    (members) => {
      const first = bands[members[0]]
      const refs = found.assets[first.name] ?? []
      return open
        .use(
          refs.map((ref) => Redacted.value(ref.url)),
          (infos) =>
            Mosaic.read(infos, grid, {
              resampling: first.resampling ?? "nearest",
              bands: members.map((b) => product.bandIndex[b])
            }).pipe(
              // Class names of a file's attribute table (PAM) for bands the recipe gives none.
              Effect.map((chip) => ({
                chip,
                named: members.map((b) => infos[0]?.classes[product.bandIndex[b]])
              }))
            )
        )
        .pipe(
          RasterAccess.withPolicy(access, undefined, source.auth),
          Effect.catchTag("RasterOpenError", (e) => Effect.succeed(e)),
          Effect.catchTag("RasterReadError", (e) => Effect.succeed(e))
        )
    },
    { concurrency: "unbounded" }
  )
  for (const [g, members] of list.entries()) {
    const first = bands[members[0]]
    const refs = found.assets[first.name] ?? []
    const scaling = scalings[g]
    if (typeof scaling === "string")
      return {
        reason: Reason.Reason.Unsupported,
        detail: `${found.items.map((i) => i.id).join("+")}: ${scaling}`
      }
    state.radiometry ??= scaling
    const result = reads[g]
    if (!("chip" in result)) {
      const read = result
      // Files EOForge can never read, or may not read, are Unsupported (a retry cannot help); the rest
      // may be transient.
      const never =
        read._tag === "RasterOpenError" &&
        (read.problem === "Refused" ||
          read.problem === "NotTiff" ||
          read.problem === "NoGeoreferencing" ||
          read.problem === "UnsupportedCodec" ||
          read.problem === "UnsupportedCrs" ||
          read.problem === "Malformed" ||
          read.problem === "TooLarge")
      const denied = read._tag === "RasterOpenError" && read.problem === "Denied"
      return {
        reason: denied
          ? Reason.Reason.AccessDenied
          : never
            ? Reason.Reason.Unsupported
            : Reason.Reason.ReadFailed,
        detail: `${refs.map((r) => `asset ${r.key} of item ${r.item} (${r.href})`).join(", ")}: ${read.message}`
      }
    }
    members.forEach((b, j) => {
      if (bands[b].classes === undefined && result.named[j] !== undefined)
        state.classes[bands[b].name] = result.named[j]
    })
    const read = result.chip
    members.forEach((b, j) => {
      const native = product.preset.spec.bands[b]
      const values = read.data.subarray(j * n, (j + 1) * n) as DType.TypedArray
      const map = Radiometry.linear(scaling, native)
      // Harmonised and stored in one pass when nothing else transforms the values (no float array between).
      if (product.spec.output === undefined && product.preset.valueTransform === "none")
        convertLinear(values, map, out, b * n, product.spec.dtype)
      else storeBand(product, Radiometry.apply(values, map), b, out, valid)
    })
    const mask = read.mask
    if (mask !== undefined) clearMasked(valid, mask, n)
    // Its values are in `out` and `valid` now: the next read may reuse its arrays.
    RasterSource.recycle(read)
  }
  return undefined
})
