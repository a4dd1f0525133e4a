// The `earth-engine` source kind of a build (`@eoforge/sources`): `find` lists the images a slot's operations
// pick (value:compute), `read` computes their pixels on the patch grid; failures become reason codes.
import { AccessPolicy, Reason, Redact } from "@eoforge/core"
import type { SourceKind } from "@eoforge/sources"
import { SourceKind as Kinds } from "@eoforge/sources"
import { StacError, type Find, type Product, type StacItem, type TimeSlots } from "@eoforge/stac"
import { Effect, Result, Schema, SchemaIssue, Semaphore } from "effect"
import { createHash } from "node:crypto"
import * as Client from "./Client.ts"
import * as Credentials from "./Credentials.ts"
import * as Expression from "./Expression.ts"
import { reasonOf, type EeRequestError } from "./EeError.ts"
import type * as Operations from "./Operations.ts"
import * as Presets from "./Presets.ts"
import * as Source from "./Source.ts"
import { EarthEngineSource } from "./SourceRecipe.ts"

/** The default image property of scene cloud cover, percent. */
export const defaultCloudProperty = "CLOUDY_PIXEL_PERCENTAGE"

const decode = Schema.decodeUnknownResult(EarthEngineSource, {
  onExcessProperty: "error",
  errors: "all"
})
const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

// The entry's problems as `key.path: message` lines.
const problemsOf = (raw: unknown): EarthEngineSource | string => {
  const decoded = decode(raw)
  if (Result.isSuccess(decoded)) return decoded.success
  return formatter(decoded.failure.issue)
    .issues.map((issue) => {
      const path = (issue.path ?? [])
        .map((p) =>
          typeof p === "object" && p !== null ? String((p as { key: PropertyKey }).key) : String(p)
        )
        .join(".")
      return `${path === "" ? "" : `${path}: `}${issue.message}`
    })
    .join("; ")
}

// The preset's binding (the ee-* presets bind "earth-engine"; custom products bind the source key).
const bindingOf = (preset: Product.Preset) => Object.values(preset.bindings)[0]

const assetFor = (id: string): Operations.Asset | undefined => {
  const preset = Object.values(Presets.byName).find((p) =>
    "collection" in p.source.asset ? p.source.asset.collection === id : p.source.asset.image === id
  )
  return preset?.source.asset
}

/** What a product reads: the recipe's override, else the ee-* preset of its asset, else defaults. */
const productSource = (
  entry: EarthEngineSource,
  preset: Product.Preset,
  maxCloud: number | undefined,
  cloudProperty: string
): Source.ProductSource => {
  const binding = bindingOf(preset)
  const override = entry.products?.[preset.spec.id]
  const collection = binding?.collection ?? preset.spec.source ?? ""
  const asset: Operations.Asset = override?.asset ?? assetFor(collection) ?? { collection }
  const known = Object.values(Presets.byName).find(
    (p) => JSON.stringify(p.source.asset) === JSON.stringify(asset)
  )
  let operations: ReadonlyArray<Operations.Operation> = override?.operations ??
    known?.source.operations ?? [{ op: "filterDate" }, { op: "filterBounds" }, { op: "first" }]
  // A recipe's maxCloud sets the value of the cloud filter (or adds it, with a least-cloudy sort).
  if (maxCloud !== undefined) {
    const has = operations.some((o) => o.op === "filter" && o.property === cloudProperty)
    operations = has
      ? operations.map((o) =>
          o.op === "filter" && o.property === cloudProperty ? { ...o, value: maxCloud } : o
        )
      : [
          { op: "filter", property: cloudProperty, cmp: "lt", value: maxCloud },
          { op: "sort", property: cloudProperty, ascending: true },
          ...operations
        ]
  }
  return {
    asset,
    operations,
    bands: preset.spec.bands.map((b) => binding?.assets[b.name] ?? b.name),
    dtype: preset.spec.dtype
  }
}

const reasonFor = (e: Source.ReadError): Reason.Reason => {
  switch (e._tag) {
    case "EeRequestError":
      return reasonOf((e as EeRequestError).problem) ?? Reason.Reason.Unsupported
    case "ResponseError":
      return Reason.Reason.ReadFailed
    case "OperationsError":
    case "TooLargeError":
      return Reason.Reason.Unsupported
    default:
      return Reason.Reason.SourceError
  }
}

const item = (id: string, time: number | undefined, cloud: number | undefined): StacItem.Item => ({
  type: "Feature",
  id,
  geometry: null,
  properties: {
    ...(time === undefined ? {} : { datetime: new Date(time).toISOString() }),
    ...(cloud === undefined ? {} : { "eo:cloud_cover": cloud })
  },
  assets: {}
})

/** The `earth-engine` source kind. */
export const kind: SourceKind.Kind = {
  type: "earth-engine",
  forRecord: (entry) => ({
    ...entry,
    ...(typeof entry.url === "string" ? { url: Redact.forRecord(entry.url) } : {})
  }),
  prepare: (raw, context) => {
    const entry = problemsOf(raw)
    if (typeof entry === "string") {
      throw new Kinds.SourceCheckError({
        source: context.key,
        message: `source "${context.key}" (earth-engine): ${entry}`
      })
    }
    const root = new URL(entry.url ?? Client.defaultBaseUrl)
    // The API root is named by the recipe; the token endpoint of a key file may be Google's or that host.
    const tokenPolicy = AccessPolicy.withPrivateHosts(
      AccessPolicy.withHosts(context.access, [...Credentials.defaultTokenHosts, root.hostname]),
      [root.host]
    )
    const cloudProperty = entry.cloudProperty ?? defaultCloudProperty
    const credentials =
      "keyFile" in entry.credentials
        ? { keyFile: context.resolvePath(entry.credentials.keyFile) }
        : entry.credentials
    const lock = Semaphore.makeUnsafe(1)
    let client: Client.Client | undefined
    const clientOf = lock.withPermit(
      Effect.suspend(() =>
        client !== undefined
          ? Effect.succeed(client)
          : Effect.map(Credentials.fromRecipe(credentials, { policy: tokenPolicy }), (tokens) => {
              client = Client.make(tokens, {
                project: entry.project,
                baseUrl: root.href,
                limits: {
                  concurrency: entry.concurrency ?? Client.defaultOptions.limits.concurrency,
                  perSecond: entry.requestsPerSecond ?? Client.defaultOptions.limits.perSecond
                }
              })
              return client
            })
      )
    )
    // What `find` resolved for a product (the recipe's maxCloud included), for `read` of the same acquisition.
    const resolved = new WeakMap<Find.Found, Source.ProductSource>()
    const missing = (
      slot: TimeSlots.Slot,
      reason: Reason.Reason,
      detail: string
    ): Find.Missing => ({
      _tag: "Missing",
      slot: slot.id,
      reason,
      detail: Redact.inText(detail)
    })

    const find = (request: SourceKind.FindRequest) =>
      Effect.gen(function* () {
        const { patch, preset, slot, rules } = request
        const cloudy = rules.maxCloud !== undefined
        const source = productSource(entry, preset, rules.maxCloud, cloudProperty)
        const c = yield* clientOf
        const tries: ReadonlyArray<TimeSlots.Slot> =
          slot.fallback === undefined ? [slot] : [slot, slot.fallback]
        for (const [k, window] of tries.entries()) {
          const selected = yield* Source.select(
            c,
            source,
            patch.grid,
            window,
            cloudy ? cloudProperty : undefined
          )
          if (selected.images.length === 0) continue
          const clouds = selected.clouds
          const found: Find.Found = {
            _tag: "Found",
            slot: slot.id,
            window: { start: window.start, end: window.end },
            fallback: k > 0,
            items: selected.images.map((id, j) => item(id, selected.times[j], clouds[j])),
            assets: {},
            datetime: selected.times[0] ?? window.start,
            ...(cloudy && clouds.length > 0 ? { cloud: Math.max(...clouds) } : {}),
            mosaic: selected.images.length > 1,
            coverage: 1
          }
          resolved.set(found, source)
          return found
        }
        return missing(
          slot,
          Reason.Reason.NoItemInWindow,
          `no image of ${JSON.stringify(source.asset)} passes the operations in ${tries.map((t) => `${new Date(t.start).toISOString().slice(0, 10)}..${new Date(t.end).toISOString().slice(0, 10)}`).join(" nor ")}`
        )
      }).pipe(
        Effect.catch((e): Effect.Effect<Find.Found | Find.Missing, Find.FindError> => {
          if (e._tag === "EeRequestError" && e.problem === "UnknownAsset") {
            return Effect.fail(
              new StacError.UnknownCollectionError({
                collection: JSON.stringify(
                  productSource(entry, request.preset, undefined, cloudProperty).asset
                ),
                source: `Earth Engine (${e.detail}; ${e.fix})`
              })
            )
          }
          return Effect.succeed(missing(request.slot, reasonFor(e), e.message))
        })
      )

    const read = (request: SourceKind.ReadRequest) =>
      Effect.gen(function* () {
        const source =
          resolved.get(request.found) ??
          productSource(entry, request.preset, undefined, cloudProperty)
        const c = yield* clientOf
        const got = yield* Source.pixels(c, source, request.grid, request.found.window)
        const facts: SourceKind.Facts = {
          images: request.found.items.map((i) => i.id).join("+"),
          times: request.found.items.map((i) => String(i.properties.datetime ?? "")).join("+"),
          // The expression is a pure function of the recipe, the patch and the slot (Operations.compile);
          // its digest identifies it in job records without repeating kilobytes per chip.
          expressionSha256: createHash("sha256").update(got.expression).digest("hex"),
          requests: got.requests
        }
        const chip = {
          grid: request.grid,
          dtype: source.dtype,
          bands: source.bands.length,
          data: got.data,
          mask: got.mask
        }
        return { _tag: "Chip", chip, facts } satisfies SourceKind.ReadChip
      }).pipe(
        Effect.catch((e) =>
          Effect.succeed({
            _tag: "Missing",
            reason: reasonFor(e),
            detail: Redact.inText(e.message)
          } satisfies SourceKind.ReadMissing)
        )
      )

    // One value:compute of a constant proves the credentials, the project's registration and its
    // permission before anything is planned.
    const check = Effect.gen(function* () {
      const c = yield* clientOf
      yield* c.computeValue(Expression.serialise(Expression.constant(1)))
    }).pipe(
      Effect.mapError(
        (e) =>
          new Kinds.SourceCheckError({
            source: context.key,
            message: `source "${context.key}" (earth-engine): ${e.message}`,
            cause: e
          })
      )
    )
    return { find, read, check }
  }
}
