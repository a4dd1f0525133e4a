// The SAFE manifest's processor version (safe:software name="Sentinel-1 IPF" version="003.31"): it decides
// which noise schema and conventions apply, and versions EOForge does not know are refused.
import { Effect } from "effect"
import * as Xml from "./internal/xml.ts"
import { S1Error } from "./S1Error.ts"

/** Oldest and newest IPF versions whose conventions EOForge implements (2.36 … 3.x). */
export const knownIpf = { min: 2.36, max: 3.99 } as const

const findSoftware = (node: Xml.Element): string | undefined => {
  for (const c of node.children) {
    if (typeof c !== "object") continue
    if (c.tagName.endsWith("software") && c.attributes["name"] === "Sentinel-1 IPF") {
      return c.attributes["version"] ?? undefined
    }
    const inner = findSoftware(c)
    if (inner !== undefined) return inner
  }
  return undefined
}

/** The IPF version (e.g. 3.31) a manifest names; UnknownIpfVersion when absent or outside `knownIpf`. */
export const ipfVersion = (text: string, asset: string): Effect.Effect<number, S1Error> =>
  Effect.try({
    try: () => findSoftware(Xml.parseRoot(text)),
    catch: (e) =>
      new S1Error({
        asset,
        problem: "AnnotationMalformed",
        message: `${asset}: the SAFE manifest is not XML`,
        cause: e
      })
  }).pipe(
    Effect.flatMap((v) => {
      const n = v === undefined ? Number.NaN : Number(v)
      return Number.isFinite(n) && n >= knownIpf.min && n <= knownIpf.max
        ? Effect.succeed(n)
        : Effect.fail(
            new S1Error({
              asset,
              problem: "UnknownIpfVersion",
              message: `${asset}: Sentinel-1 IPF version ${v ?? "(none)"} is not one EOForge knows (${knownIpf.min}–${knownIpf.max}); its noise and calibration conventions may differ`
            })
          )
    })
  )
