// Asset URL signing as a service: none by default, Planetary Computer SAS tokens as one implementation.
// Signed URLs are returned wrapped in Redacted, so tokens never print in logs, errors or JSON outputs.
import { Redact } from "@eoforge/core"
import { Clock, Context, Effect, Layer, Redacted } from "effect"
import * as Http from "./internal/http.ts"
import { SignError } from "./StacError.ts"

/** Turns an asset href into the URL to read (carrying credentials if any). */
export class AssetSigner extends Context.Service<
  AssetSigner,
  {
    /** The readable URL of an asset of a collection, wrapped so it never prints. */
    readonly sign: (
      collection: string,
      href: string
    ) => Effect.Effect<Redacted.Redacted<string>, SignError>
  }
>()("@eoforge/stac/AssetSigner") {}

/** The URL with credential-like query values replaced by `REDACTED`, for messages (core `Redact.forMessage`). */
export const redactUrl: (url: string) => string = Redact.forMessage

/** No signing: hrefs are read as they are. */
export const layerNone: Layer.Layer<AssetSigner> = Layer.succeed(AssetSigner, {
  sign: (_collection, href) => Effect.succeed(Redacted.make(href))
})

/** Options of the Planetary Computer signer. */
export interface PlanetaryComputerOptions {
  /** Site root; the token endpoint is `{base}/api/sas/v1/token/{collection}`. */
  readonly base?: string
  /** Optional API subscription key, sent as the `Ocp-Apim-Subscription-Key` header. */
  readonly subscriptionKey?: Redacted.Redacted<string>
  /** Which hrefs need a token (default: Azure Blob Storage hosts). */
  readonly shouldSign?: (href: string) => boolean
  /** Renew tokens this long before their expiry, in ms (default 5 minutes). */
  readonly renewBeforeMs?: number
  readonly http?: Partial<Http.HttpOptions>
}

const isAzureBlob = (href: string): boolean =>
  /^https:\/\/[^/]+\.blob\.core\.windows\.net\//i.test(href)

/** A Planetary Computer signer: one SAS token per collection, cached until shortly before it expires. */
export const makePlanetaryComputer = (
  options: PlanetaryComputerOptions = {}
): AssetSigner["Service"] => {
  const base = (options.base ?? "https://planetarycomputer.microsoft.com").replace(/\/+$/, "")
  const http = Http.make({ ...Http.defaultHttpOptions, ...options.http })
  const shouldSign = options.shouldSign ?? isAzureBlob
  const renew = options.renewBeforeMs ?? 300_000
  const tokens = new Map<string, { readonly token: string; readonly expires: number }>()

  const token = (collection: string): Effect.Effect<string, SignError> =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const cached = tokens.get(collection)
      if (cached !== undefined && now < cached.expires - renew) return cached.token
      const endpoint = `${base}/api/sas/v1/token/${encodeURIComponent(collection)}`
      const url = Redact.forMessage(endpoint)
      const res = yield* http
        .json({
          method: "GET",
          url: endpoint,
          ...(options.subscriptionKey === undefined
            ? {}
            : { headers: { "Ocp-Apim-Subscription-Key": Redacted.value(options.subscriptionKey) } })
        })
        .pipe(
          Effect.mapError(
            (cause) => new SignError({ collection, url, detail: cause.message, cause })
          )
        )
      const json = res.json as { token?: unknown; "msft:expiry"?: unknown } | undefined
      const expires =
        typeof json?.["msft:expiry"] === "string" ? Date.parse(json["msft:expiry"]) : Number.NaN
      if (typeof json?.token !== "string" || Number.isNaN(expires)) {
        return yield* new SignError({
          collection,
          url,
          detail: "the token endpoint answered without a token and msft:expiry"
        })
      }
      tokens.set(collection, { token: json.token, expires })
      return json.token
    })

  return AssetSigner.of({
    sign: (collection, href) =>
      shouldSign(href)
        ? Effect.map(token(collection), (t) =>
            Redacted.make(`${href}${href.includes("?") ? "&" : "?"}${t}`)
          )
        : Effect.succeed(Redacted.make(href))
  })
}

/** The Planetary Computer signer as a layer. */
export const layerPlanetaryComputer = (
  options: PlanetaryComputerOptions = {}
): Layer.Layer<AssetSigner> => Layer.sync(AssetSigner, () => makePlanetaryComputer(options))
