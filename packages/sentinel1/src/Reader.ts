// The `sentinel1-grd` item reader: a found GRD item → σ⁰ (β⁰, γ⁰) chips on the patch grid. Reads each
// polarisation's annotation/calibration/noise XML beside its measurement (SAFE naming rule), the measurement's
// DNs of the radar window only (RasterSource.readWindow), a DEM onto the patch grid, and terrain-corrects.
// Never uses the item's proj:transform (derived from its bounding box, not the radar geometry).
import { Reason, Redact, type Chip } from "@eoforge/core"
import { Zone } from "@eoforge/grid"
import { RasterSource } from "@eoforge/raster"
import type { SourceKind } from "@eoforge/sources"
import { Effect } from "effect"
import * as GrdChip from "./GrdChip.ts"
import * as ReaderOptions from "./internal/options.ts"
import { readSlice } from "./internal/slice.ts"
import type { S1Error } from "./S1Error.ts"

/** Reader options (a preset's or a recipe product's `readerOptions`). */
export type Options = ReaderOptions.Options

const missing = (reason: Reason.Reason, detail: string): SourceKind.ReadResult => ({
  _tag: "Missing",
  reason,
  detail
})

/** The reason a product problem is recorded as. */
export const reasonOf = (e: S1Error): Reason.Reason => {
  switch (e.problem) {
    case "OrbitNotCovering":
    case "OutsideImage":
    case "DemNotCovering":
      return Reason.Reason.NotCovered
    case "AnnotationMissing":
      return Reason.Reason.SourceError
    default:
      return Reason.Reason.Unsupported
  }
}

const optionsOf = (preset: SourceKind.ReadRequest["preset"]): Options =>
  ReaderOptions.fromRaw(preset.readerOptions ?? {})

const readGrd = (request: SourceKind.ReadRequest) =>
  Effect.gen(function* () {
    const { found, grid, preset, open } = request
    const options = optionsOf(preset)
    const raster = yield* RasterSource.RasterSource
    if (grid.crs._tag !== "Epsg" || Zone.fromEpsg(grid.crs.code) === undefined) {
      return missing(
        Reason.Reason.Unsupported,
        `the patch grid's CRS is not a UTM/UPS EPSG code; Sentinel-1 chips are made on UTM/UPS patch grids`
      )
    }
    const epsg = grid.crs.code
    const toLonLat = (x: number, y: number) => Zone.inverse(epsg, x, y)
    const n = grid.width * grid.height

    let dem: GrdChip.Dem | undefined
    if (options.demProduct !== undefined) {
      const id = options.demProduct
      if (request.readProduct === undefined) {
        return missing(
          Reason.Reason.Unsupported,
          `the DEM is product ${id} of the recipe, which only a build reads; give readerOptions.dem a path or URL instead`
        )
      }
      const heights = yield* request.readProduct(id, grid)
      if (heights._tag === "Missing")
        return missing(heights.reason, `DEM for terrain correction: ${heights.detail}`)
      const values = heightsOf(heights.chip, n)
      const item = heights.facts?.["item"]
      dem = {
        values,
        datum: options.demDatum ?? "egm96",
        asset: `product ${id}${item === undefined || item === "" ? "" : ` (${String(item)})`}`
      }
    } else if (options.dem !== undefined) {
      const demUri = options.dem
      const chip = yield* open.use([demUri], ([info]) =>
        raster.read(info, grid, { resampling: "bilinear" })
      )
      const values = heightsOf(chip, n)
      dem = { values, datum: options.demDatum ?? "egm96", asset: Redact.forMessage(demUri) }
    }

    const out = new Float32Array(request.bands.length * n).fill(Number.NaN)
    const valid = new Uint8Array(n)
    const facts: Record<string, string | number | boolean> = {
      geocoding: "range-doppler",
      heights:
        dem === undefined
          ? "ellipsoid-only (no DEM: slopes are misplaced)"
          : `${dem.asset} + ${dem.datum}`
    }
    const slices = slicesOf(found.items)
    const used: Array<string> = []
    for (const k of slices) {
      const item = found.items[k]
      const got = yield* readSlice(request, k, grid, toLonLat, dem, options, slices.length > 1)
      if (got._tag === "Missing") return got
      if (got._tag === "Skipped") {
        facts[`slice ${item?.id ?? k}`] = got.detail
        continue
      }
      const added = got.values.map((values, b) => fillGaps(out, b * n, values))[0] ?? 0
      used.push(`${item?.id ?? k} (${added} px)`)
      for (const [key, value] of Object.entries(got.facts)) if (!(key in facts)) facts[key] = value
      // Border noise (DN 0) and pixels beyond a slice's lines are NaN: the next slice fills them.
      if (!out.some(Number.isNaN)) break
    }
    if (slices.length > 1) facts["mosaic"] = used.join(" + ")
    validity(out, request.bands.length, valid)
    const chip: Chip.Chip = {
      grid,
      dtype: "float32",
      bands: request.bands.length,
      data: out,
      mask: valid
    }
    return { _tag: "Chip", chip, facts } satisfies SourceKind.ReadChip
  })

// Pixel loops live outside the generator bodies (V8 optimises plain functions' loops far better).
const heightsOf = (chip: Chip.Chip, n: number): Float32Array => {
  const values = new Float32Array(n)
  for (let i = 0; i < n; i++)
    values[i] = chip.mask === undefined || chip.mask[i] !== 0 ? Number(chip.data[i]) : Number.NaN
  return values
}

/** Copies `values` into `out` from `offset` where `out` is NaN and `values` is not; how many were filled. */
const fillGaps = (out: Float32Array, offset: number, values: Float32Array): number => {
  let added = 0
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(out[offset + i]) && !Number.isNaN(values[i])) {
      out[offset + i] = values[i]
      added++
    }
  }
  return added
}

/** 1 where every band of a band-major chip has a value, else 0. */
const validity = (out: Float32Array, bands: number, valid: Uint8Array): void => {
  const n = valid.length
  for (let i = 0; i < n; i++) {
    let ok = 1
    for (let b = 0; b < bands; b++) if (Number.isNaN(out[b * n + i])) ok = 0
    valid[i] = ok
  }
}

// The items a chip is made of: the first, and those of the same datatake (consecutive slices of one
// acquisition: `s1:datatake_id`, else the absolute orbit). Other passes are never mixed into one chip.
const slicesOf = (
  items: ReadonlyArray<{ readonly properties: Readonly<Record<string, unknown>> }>
) => {
  const keyOf = (item: (typeof items)[number]): string | undefined => {
    const dt = item.properties["s1:datatake_id"]
    if (typeof dt === "string" || typeof dt === "number") return `datatake ${dt}`
    const orbit = item.properties["sat:absolute_orbit"]
    return typeof orbit === "number" ? `orbit ${orbit}` : undefined
  }
  const first = items[0] === undefined ? undefined : keyOf(items[0])
  return items.flatMap((item, k) =>
    k === 0 || (first !== undefined && keyOf(item) === first) ? [k] : []
  )
}

/** The `sentinel1-grd` item reader. */
export const grd: SourceKind.ItemReader = {
  name: "sentinel1-grd",
  resolveOptions: ReaderOptions.resolve,
  read: (request) =>
    readGrd(request).pipe(
      Effect.catchTag("S1Error", (e) => Effect.succeed(missing(reasonOf(e), e.message))),
      Effect.catchTag("RasterOpenError", (e) =>
        Effect.succeed(
          missing(
            e.problem === "Refused" ? Reason.Reason.Unsupported : Reason.Reason.SourceError,
            e.message
          )
        )
      ),
      Effect.catchTag("RasterReadError", (e) =>
        Effect.succeed(missing(Reason.Reason.ReadFailed, e.message))
      )
    )
}
