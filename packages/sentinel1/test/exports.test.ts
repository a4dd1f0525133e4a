// The public surface of @eoforge/sentinel1: changes to it are deliberate.
import { describe, expect, it } from "@effect/vitest"
import * as S1 from "../src/index.ts"

describe("@eoforge/sentinel1 exports", () => {
  it("exposes its modules with their members", () => {
    const surface = Object.fromEntries(
      Object.entries(S1).map(([name, mod]) => [name, Object.keys(mod).sort().join(" ")])
    )
    expect(surface).toMatchInlineSnapshot(`
      {
        "Annotation": "expectRoot failure lineTime parse timeLine",
        "Calibration": "lutOf parse",
        "Geoid": "toEllipsoidal undulation",
        "Geolocation": "conversionAt forward groundRange inverse inverseEcef lineOf make pixelOf slantRange speedOfLight toEcef toGeodetic zeroDopplerTime",
        "GrdChip": "check geometryKey make makeAll",
        "Layout": "fromItem fromManifest fromMeasurement",
        "Manifest": "ipfVersion knownIpf",
        "Noise": "parse",
        "Orbit": "at atInto covers make stateLength",
        "Radiometry": "calibrate calibrationLut noisePower",
        "Reader": "grd reasonOf",
        "S1Error": "Problem S1Error",
        "Simulate": "calibrationFor dnWindow groundPoint noiseFor",
        "TerrainCorrection": "MaskValue mask positions positionsExact sample tolerancePx",
      }
    `)
  })
})
