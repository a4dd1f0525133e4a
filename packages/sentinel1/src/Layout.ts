// Where a GRD's files are, per polarisation: from a STAC item's assets (Earth Search, Planetary Computer,
// stactools) or from a SAFE manifest's data objects. Annotation, calibration and noise hrefs fall back to the
// SAFE naming rule from the measurement's href (measurement/X.tiff → annotation/X.xml, annotation/calibration/
// calibration-X.xml, noise-X.xml) where an item lacks them or points its product schema at an RFI report.
import { Effect } from "effect"
import * as Xml from "./internal/xml.ts"
import { S1Error } from "./S1Error.ts"

/** The files of one polarisation. */
export interface Files {
  readonly polarisation: string
  readonly measurement: string
  readonly annotation: string
  readonly calibration: string
  readonly noise: string
}

/** The files of a product: per polarisation (upper case), and the SAFE manifest when known. */
export interface Layout {
  readonly polarisations: ReadonlyMap<string, Files>
  readonly manifest: string | undefined
}

/** The SAFE-rule annotation, calibration and noise hrefs of a measurement href (query kept: signed URLs). */
export const fromMeasurement = (measurement: string) => {
  const m = /^(.*)\/measurement\/([^/?#]+)\.tiff?(\?.*)?$/i.exec(measurement)
  if (m === null) return undefined
  const [, root, name, query = ""] = m
  return {
    annotation: `${root}/annotation/${name}.xml${query}`,
    calibration: `${root}/annotation/calibration/calibration-${name}.xml${query}`,
    noise: `${root}/annotation/calibration/noise-${name}.xml${query}`
  }
}

/** The layout of a STAC item's assets (keys vv/vh/hh/hv and schema-{product,calibration,noise}-<pol>). */
export const fromItem = (item: {
  readonly id: string
  readonly assets: Readonly<Record<string, { readonly href: string }>>
}): Layout => {
  const polarisations = new Map<string, Files>()
  for (const pol of ["vv", "vh", "hh", "hv"]) {
    const measurement = item.assets[pol]?.href
    if (measurement === undefined) continue
    const guess = fromMeasurement(measurement)
    const product = item.assets[`schema-product-${pol}`]?.href
    // Earth Search and Planetary Computer point schema-product-* at annotation/rfi/rfi-*.xml (an RFI report).
    const annotation =
      product !== undefined && !/(^|\/)rfi[-/]/i.test(product) ? product : guess?.annotation
    const calibration = item.assets[`schema-calibration-${pol}`]?.href ?? guess?.calibration
    const noise = item.assets[`schema-noise-${pol}`]?.href ?? guess?.noise
    if (annotation === undefined || calibration === undefined || noise === undefined) continue
    polarisations.set(pol.toUpperCase(), {
      polarisation: pol.toUpperCase(),
      measurement,
      annotation,
      calibration,
      noise
    })
  }
  return { polarisations, manifest: item.assets["safe-manifest"]?.href }
}

const resolve = (base: string, href: string): string => {
  const rel = href.replace(/^\.\//, "")
  return base.endsWith("/") ? `${base}${rel}` : `${base}/${rel}`
}

/** The layout of a SAFE product from its manifest text (`root`: the .SAFE folder's path or URL). */
export const fromManifest = (
  text: string,
  root: string,
  asset: string
): Effect.Effect<Layout, S1Error> =>
  Effect.try({
    try: () => layoutOfManifest(text, root, asset),
    catch: (e) =>
      e instanceof S1Error
        ? e
        : new S1Error({
            asset,
            problem: "AnnotationMalformed",
            message: `${asset}: the SAFE manifest is not XML`,
            cause: e
          })
  })

const layoutOfManifest = (text: string, root: string, asset: string): Layout => {
  const hrefs: Array<string> = []
  const walk = (node: Xml.Element): void => {
    for (const c of node.children) {
      if (typeof c !== "object") continue
      const href = c.attributes["href"]
      if (c.tagName.endsWith("fileLocation") && typeof href === "string") hrefs.push(href)
      walk(c)
    }
  }
  try {
    walk(Xml.parseRoot(text))
  } catch (e) {
    throw new S1Error({
      asset,
      problem: "AnnotationMalformed",
      message: `${asset}: the SAFE manifest is not XML`,
      cause: e
    })
  }
  const polarisations = new Map<string, Files>()
  for (const href of hrefs) {
    const m = /^\.?\/?measurement\/([^/]+)\.tiff?$/i.exec(href)
    if (m === null) continue
    const pol = /-(vv|vh|hh|hv)-/i.exec(m[1])?.[1]?.toUpperCase()
    if (pol === undefined) continue
    const measurement = resolve(root, href)
    const d = fromMeasurement(measurement)
    if (d === undefined) continue
    const pick = (dir: string, fallback: string) => {
      const found = hrefs.find((h) => h.replace(/^\.\//, "") === `${dir}${m[1]}.xml`)
      return found === undefined ? fallback : resolve(root, found)
    }
    polarisations.set(pol, {
      polarisation: pol,
      measurement,
      annotation: pick("annotation/", d.annotation),
      calibration: pick("annotation/calibration/calibration-", d.calibration),
      noise: pick("annotation/calibration/noise-", d.noise)
    })
  }
  return { polarisations, manifest: resolve(root, "manifest.safe") }
}
