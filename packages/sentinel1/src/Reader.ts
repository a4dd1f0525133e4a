// The `sentinel1-grd` item reader: a found GRD item → σ⁰ (β⁰, γ⁰) chips on the patch grid. Reads each
// polarisation's annotation/calibration/noise XML beside its measurement (SAFE naming rule), the measurement's
// DNs of the radar window only (RasterSource.readWindow), a DEM onto the patch grid, and terrain-corrects.
// Never uses the item's proj:transform (derived from its bounding box, not the radar geometry).
import { Reason, Redact, type Chip } from "@eoforge/core"
import { Zone } from "@eoforge/grid"
import { RasterSource } from "@eoforge/raster"
import type { SourceKind } from "@eoforge/sources"
import { Effect, Redacted } from "effect"
import * as Annotation from "./Annotation.ts"
import * as Calibration from "./Calibration.ts"
import * as GrdChip from "./GrdChip.ts"
import { readText } from "./internal/readText.ts"
import * as Layout from "./Layout.ts"
import * as Manifest from "./Manifest.ts"
import * as Noise from "./Noise.ts"
import * as ReaderOptions from "./internal/options.ts"
import type * as TerrainCorrection from "./TerrainCorrection.ts"
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

// Polarisations of one product share their geometry; their positions are computed once.
const geometryKey = (a: Annotation.ProductAnnotation): string =>
  [
    a.epochMicros,
    a.azimuthTimeInterval,
    a.slantRangeTime,
    a.lines,
    a.samples,
    a.rangePixelSpacing,
    a.orbit.length,
    a.grid.length
  ].join(" ")

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
      const values = new Float32Array(n)
      for (let i = 0; i < n; i++)
        values[i] =
          heights.chip.mask === undefined || heights.chip.mask[i] !== 0
            ? Number(heights.chip.data[i])
            : Number.NaN
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
      const values = new Float32Array(n)
      for (let i = 0; i < n; i++)
        values[i] =
          chip.mask === undefined || chip.mask[i] !== 0 ? Number(chip.data[i]) : Number.NaN
      dem = { values, datum: options.demDatum ?? "egm96", asset: Redact.forMessage(demUri) }
    }

    const out = new Float32Array(request.bands.length * n)
    const valid = new Uint8Array(n).fill(1)
    const facts: Record<string, string | number | boolean> = {
      geocoding: "range-doppler",
      heights:
        dem === undefined
          ? "ellipsoid-only (no DEM: slopes are misplaced)"
          : `${dem.asset} + ${dem.datum}`
    }
    let ipfChecked = false
    let shared:
      { readonly key: string; readonly positions: TerrainCorrection.Positions } | undefined
    for (const [b, band] of request.bands.entries()) {
      const ref = found.assets[band.name]?.[0]
      if (ref === undefined) {
        return missing(
          Reason.Reason.PolarisationMissing,
          `${found.items[0]?.id ?? "the item"} has no ${band.name} measurement asset`
        )
      }
      const url = Redacted.value(ref.url)
      const xml = Layout.fromMeasurement(url)
      const shownXml = Layout.fromMeasurement(ref.href)
      if (xml === undefined || shownXml === undefined) {
        return missing(
          Reason.Reason.Unsupported,
          `${ref.href} is not in a SAFE measurement/ folder, so its annotation cannot be found`
        )
      }
      if (!ipfChecked) {
        ipfChecked = true
        const manifestUrl = url.replace(/\/measurement\/[^/?#]+(\?[^#]*)?$/i, "/manifest.safe$1")
        const shownManifest = ref.href.replace(/\/measurement\/[^/?#]+$/i, "/manifest.safe")
        const text = yield* Effect.result(readText(manifestUrl))
        if (text._tag === "Success") {
          const ipf = yield* Manifest.ipfVersion(text.success, shownManifest)
          facts["ipf"] = ipf
        } else facts["ipf"] = "unknown (no manifest)"
      }
      const [annotationText, calibrationText, noiseText] = yield* Effect.all([
        readText(xml.annotation),
        readText(xml.calibration),
        readText(xml.noise)
      ])
      const annotation = yield* Annotation.parse(annotationText, shownXml.annotation)
      const calibration = yield* Calibration.parse(calibrationText, shownXml.calibration)
      const noise = yield* Noise.parse(noiseText, shownXml.noise)
      const unit =
        preset.spec.bands.find((s) => s.name === band.name)?.unit === "linear" ? "linear" : "dB"
      const result = yield* open.use([`${url}#georeferencing=ignore`], ([info]) =>
        GrdChip.make(
          {
            annotation,
            calibration,
            noise,
            measurement: { asset: ref.href, width: info.width, height: info.height }
          },
          grid,
          toLonLat,
          dem,
          (w) =>
            raster
              .readWindow(info, [w.pixel0, w.line0, w.pixel0 + w.width, w.line0 + w.height], [0])
              .pipe(Effect.map(([dn]) => dn)),
          {
            db: unit === "dB",
            ...(options.target === undefined ? {} : { target: options.target }),
            ...(options.denoise === undefined ? {} : { denoise: options.denoise })
          },
          shared !== undefined && shared.key === geometryKey(annotation)
            ? shared.positions
            : undefined
        )
      )
      shared = { key: geometryKey(annotation), positions: result.positions }
      out.set(result.values, b * n)
      for (let i = 0; i < n; i++) if (Number.isNaN(result.values[i])) valid[i] = 0
      facts[`${band.name}.layover`] = result.provenance.layover
      facts[`${band.name}.shadow`] = result.provenance.shadow
      facts[`${band.name}.radarWindow`] = JSON.stringify(result.provenance.radarWindow)
      facts["calibration"] =
        `${result.provenance.target}${result.provenance.denoised ? ", thermal noise removed" : ""}, ${result.provenance.units}`
    }
    const chip: Chip.Chip = {
      grid,
      dtype: "float32",
      bands: request.bands.length,
      data: out,
      mask: valid
    }
    return { _tag: "Chip", chip, facts } satisfies SourceKind.ReadChip
  })

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
