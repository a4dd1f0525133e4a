// The public surface of @eoforge/earthengine: changes to it are deliberate.
import { describe, expect, it } from "@effect/vitest"
import * as EarthEngine from "../src/index.ts"

describe("@eoforge/earthengine exports", () => {
  it("exposes its modules with their members", () => {
    const surface = Object.fromEntries(
      Object.entries(EarthEngine).map(([name, mod]) => [name, Object.keys(mod).sort()])
    )
    expect(surface).toMatchInlineSnapshot(`
      {
        "Client": [
          "defaultBaseUrl",
          "defaultOptions",
          "make",
        ],
        "Credentials": [
          "CredentialsRecipe",
          "assertion",
          "defaultTokenHosts",
          "earthEngineScope",
          "expired",
          "fromEnv",
          "fromRecipe",
          "serviceAccount",
        ],
        "EeError": [
          "CredentialsError",
          "EeHttpError",
          "EeRequestError",
          "Problem",
          "classify",
          "fromResponse",
          "reasonOf",
          "refused",
        ],
        "Expression": [
          "ExpressionError",
          "arg",
          "call",
          "constant",
          "dict",
          "fn",
          "functionNames",
          "parse",
          "serialise",
        ],
        "Kind": [
          "defaultCloudProperty",
          "kind",
        ],
        "Npy": [
          "NpyError",
          "decode",
          "encode",
        ],
        "Operations": [
          "Asset",
          "Comparison",
          "Operation",
          "OperationsError",
          "castFor",
          "compile",
          "footprint",
          "validBand",
        ],
        "Presets": [
          "asProductPreset",
          "byName",
          "esaWorldCover",
          "modisVcf",
          "sentinel1Grd",
          "sentinel2Bands",
          "sentinel2L1C",
          "sentinel2L2A",
          "srtm",
        ],
        "RateLimit": [
          "earthEngineDefaults",
          "make",
        ],
        "Requests": [
          "TooLargeError",
          "earthEngineLimits",
          "place",
          "plan",
          "restGrid",
        ],
        "Source": [
          "ResponseError",
          "pixels",
          "read",
          "select",
        ],
        "SourceRecipe": [
          "EarthEngineSource",
        ],
      }
    `)
  })
})
