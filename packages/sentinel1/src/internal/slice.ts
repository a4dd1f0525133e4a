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
import type * as Radiometry from "../Radiometry.ts"
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
    const parsed: Array<{
      readonly name: string
      readonly url: string
      readonly href: string
      readonly polarisation: Omit<GrdChip.Polarisation, "measurement">
      readonly db: boolean
    }> = []
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
      if (parsed.length === 0) {
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
      parsed.push({
        name: band.name,
        url,
        href: ref.href,
        polarisation: { annotation, calibration, noise },
        db: unit === "dB"
      })
    }
    // Every polarisation's DN window is read at once (GrdChip.makeAll), positions computed once.
    const made = yield* open
      .use(
        parsed.map((b) => `${b.url}#georeferencing=ignore`),
        (infos) =>
          GrdChip.makeAll(
            parsed.map((b, i) => ({
              polarisation: {
                ...b.polarisation,
                measurement: { asset: b.href, width: infos[i].width, height: infos[i].height }
              },
              readDn: (w: Radiometry.Window) =>
                raster
                  .readWindow(
                    infos[i],
                    [w.pixel0, w.line0, w.pixel0 + w.width, w.line0 + w.height],
                    [0]
                  )
                  .pipe(Effect.map(([dn]) => dn)),
              options: {
                db: b.db,
                ...(options.target === undefined ? {} : { target: options.target }),
                ...(options.denoise === undefined ? {} : { denoise: options.denoise })
              }
            })),
            grid,
            toLonLat,
            dem
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
    const values: Array<Float32Array> = []
    made.forEach((m, b) => {
      values.push(m.values)
      const name = parsed[b].name
      const suffix = k === 0 ? "" : ` (${item?.id ?? k})`
      facts[`${name}.layover${suffix}`] = m.provenance.layover
      facts[`${name}.shadow${suffix}`] = m.provenance.shadow
      facts[`${name}.radarWindow${suffix}`] = JSON.stringify(m.provenance.radarWindow)
      facts["calibration"] =
        `${m.provenance.target}${m.provenance.denoised ? ", thermal noise removed" : ""}, ${m.provenance.units}`
    })
    return { _tag: "Values", values, facts } satisfies SliceValues
  })
