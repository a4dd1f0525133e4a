// One slice (item) of a GRD chip: every requested polarisation of item k of a found acquisition calibrated
// and terrain-corrected onto the patch grid (NaN where the slice has no data: border noise, beyond its lines).
import type { PixelGrid } from "@eoforge/core"
import { Reason } from "@eoforge/core"
import { RasterSource } from "@eoforge/raster"
import type { SourceKind } from "@eoforge/sources"
import { Effect, Redacted } from "effect"
import * as Annotation from "../Annotation.ts"
import * as Calibration from "../Calibration.ts"
import * as GrdChip from "../GrdChip.ts"
import * as Layout from "../Layout.ts"
import * as Manifest from "../Manifest.ts"
import * as Noise from "../Noise.ts"
import type * as TerrainCorrection from "../TerrainCorrection.ts"
import type { Options } from "./options.ts"
import { readText } from "./readText.ts"

/** The values of each band (patch grid, NaN without data) and what the slice says about how. */
export interface SliceValues {
  readonly _tag: "Values"
  readonly values: ReadonlyArray<Float32Array>
  readonly facts: Readonly<Record<string, string | number | boolean>>
}

/** A slice of a mosaic that does not reach the patch. */
export interface Skipped {
  readonly _tag: "Skipped"
  readonly detail: string
}

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

/**
 * Item `k` of the request's acquisition onto `grid`. In a mosaic (`inMosaic`), a slice whose lines or
 * orbit do not reach the patch is Skipped; alone, that is the chip's failure.
 */
export const readSlice = (
  request: SourceKind.ReadRequest,
  k: number,
  grid: PixelGrid.PixelGrid,
  toLonLat: (x: number, y: number) => readonly [number, number],
  dem: GrdChip.Dem | undefined,
  options: Options,
  inMosaic: boolean
) =>
  Effect.gen(function* () {
    const { found, preset, open } = request
    const raster = yield* RasterSource.RasterSource
    const item = found.items[k]
    const facts: Record<string, string | number | boolean> = {}
    const values: Array<Float32Array> = []
    let shared:
      { readonly key: string; readonly positions: TerrainCorrection.Positions } | undefined
    for (const band of request.bands) {
      const ref = found.assets[band.name]?.[k]
      if (ref === undefined) {
        return {
          _tag: "Missing",
          reason: Reason.Reason.PolarisationMissing,
          detail: `${item?.id ?? "the item"} has no ${band.name} measurement asset`
        } satisfies SourceKind.ReadMissing
      }
      const url = Redacted.value(ref.url)
      const xml = Layout.fromMeasurement(url)
      const shownXml = Layout.fromMeasurement(ref.href)
      if (xml === undefined || shownXml === undefined) {
        return {
          _tag: "Missing",
          reason: Reason.Reason.Unsupported,
          detail: `${ref.href} is not in a SAFE measurement/ folder, so its annotation cannot be found`
        } satisfies SourceKind.ReadMissing
      }
      if (values.length === 0) {
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
      const made = yield* open
        .use([`${url}#georeferencing=ignore`], ([info]) =>
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
        .pipe(
          Effect.catchTag("S1Error", (e) =>
            inMosaic && (e.problem === "OutsideImage" || e.problem === "OrbitNotCovering")
              ? Effect.succeed({ _tag: "Skipped", detail: e.message } satisfies Skipped)
              : Effect.fail(e)
          )
        )
      if ("_tag" in made) return made
      shared = { key: geometryKey(annotation), positions: made.positions }
      values.push(made.values)
      const suffix = k === 0 ? "" : ` (${item?.id ?? k})`
      facts[`${band.name}.layover${suffix}`] = made.provenance.layover
      facts[`${band.name}.shadow${suffix}`] = made.provenance.shadow
      facts[`${band.name}.radarWindow${suffix}`] = JSON.stringify(made.provenance.radarWindow)
      facts["calibration"] =
        `${made.provenance.target}${made.provenance.denoised ? ", thermal noise removed" : ""}, ${made.provenance.units}`
    }
    return { _tag: "Values", values, facts } satisfies SliceValues
  })
