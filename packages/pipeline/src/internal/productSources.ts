// Where a recipe product's acquisitions come from: static catalogues, STAC APIs and registered source kinds,
// the preset binding of a source, the caches put in front of them and the sources as a store records them.
import type { Guarded } from "@eoforge/access"
import { Redact, type AccessPolicy } from "@eoforge/core"
import { Access, Presets, StacClient, type Product } from "@eoforge/stac"
import type { SourceKind } from "@eoforge/sources"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { ProductPlan } from "../Products.ts"
import { isStacApi, isStatic, type Recipe } from "../Recipe.ts"
import { ProductRecipeError } from "./productError.ts"
import { kindOf } from "./sourceKinds.ts"

/**
 * Where a static catalogue named in a recipe is: an http(s):// or s3:// URL as given, a file:// URL as its
 * path, a path relative to the recipe's folder.
 */
export const catalogueOf = (catalog: string, baseDir: (p: string) => string): string =>
  /^(https?|s3):\/\//i.test(catalog)
    ? catalog
    : /^file:/i.test(catalog)
      ? fileURLToPath(catalog)
      : baseDir(catalog)

/** The products whose source kinds keep a cache, each in `folder/<source key>` (a store's `.eoforge/sources`). */
export const withSourceCache = (
  products: ReadonlyArray<ProductPlan>,
  folder: string
): ReadonlyArray<ProductPlan> => {
  // Products of one source share its cached copy, as they share the source.
  const cached = new Map<SourceKind.Source, SourceKind.Source>()
  return products.map((p) => {
    const kind = p.kind
    if (kind?.withCache === undefined) return p
    let withCache = cached.get(kind)
    if (withCache === undefined) {
      withCache = kind.withCache(join(folder, p.rules.provider.id))
      cached.set(kind, withCache)
    }
    return { ...p, kind: withCache }
  })
}

/** The products with their static catalogues' remote documents cached under `folder`. */
export const withDocumentCache = (
  products: ReadonlyArray<ProductPlan>,
  folder: string
): ReadonlyArray<ProductPlan> =>
  products.map((p) =>
    p.rules.source === undefined
      ? p
      : { ...p, rules: { ...p.rules, source: StacClient.withCache(p.rules.source, folder) } }
  )

export const sourceOf = (
  recipe: Recipe,
  key: string,
  baseDir: (p: string) => string,
  product: string,
  access: AccessPolicy.AccessPolicy,
  auth: Guarded.Authorizer
) => {
  const s = Object.hasOwn(recipe.sources, key) ? recipe.sources[key] : undefined
  if (s === undefined) {
    throw new ProductRecipeError({
      product,
      message: `source "${key}" is not defined; define it under sources: (defined: ${Object.keys(recipe.sources).join(", ") || "none"})`
    })
  }
  if (isStatic(s)) {
    const catalog = catalogueOf(s.catalog, baseDir)
    return {
      provider: { id: key, url: catalog },
      source: StacClient.staticCatalog(catalog, Access.forCatalogue(catalog, access), auth)
    }
  }
  if (isStacApi(s)) {
    return {
      provider: { id: key, url: s.url },
      source: StacClient.api(s.url, Access.forCatalogue(s.url, access), auth)
    }
  }
  const entry = s as Readonly<Record<string, unknown>> & { readonly type: string }
  const kind = kindOf(entry.type)
  if (kind === undefined) {
    throw new ProductRecipeError({
      product,
      message: `source "${key}" has type ${entry.type}, which this build does not know`
    })
  }
  try {
    return {
      provider: { id: key, url: `${entry.type}:${key}` },
      kind: kind.prepare(entry, { key, resolvePath: baseDir, access, auth })
    }
  } catch (error) {
    throw new ProductRecipeError({
      product,
      message: error instanceof Error ? error.message : String(error)
    })
  }
}

// The asset-alternate preference of a STAC source, when it states one.
export const alternateOf = (s: Recipe["sources"][string] | undefined): string | undefined =>
  s !== undefined && "alternate" in s && typeof s.alternate === "string" ? s.alternate : undefined

export const knownProviders: ReadonlyArray<Presets.Provider> = [
  Presets.earthSearch,
  Presets.planetaryComputer,
  Presets.cdse
]

// A preset's binding for a recipe source: by the source's key, else by its URL being a known
// provider's, else the preset's first binding (a mirror with the same collection ids).
export const bindingFor = (
  preset: Product.Preset,
  provider: Presets.Provider
): Product.Binding | undefined => {
  const byUrl = knownProviders.find((k) => k.url === provider.url.replace(/\/+$/, ""))
  return (
    preset.bindings[provider.id] ??
    (byUrl === undefined ? undefined : preset.bindings[byUrl.id]) ??
    Object.values(preset.bindings)[0]
  )
}

// Other kinds: their own record rule, else every string through Redact.forRecord.
const recordOf = <S extends { readonly type: string }>(s: S): S => {
  const kind = kindOf(s.type)
  if (kind?.forRecord !== undefined) return kind.forRecord(s) as S
  return Object.fromEntries(
    Object.entries(s).map(([k, v]) => [k, typeof v === "string" ? Redact.forRecord(v) : v])
  ) as S
}

/**
 * The recipe's sources as a store records them: catalogue URLs through core `Redact.forRecord`, so a
 * signed or keyed URL (`?subscription-key=…`, SAS) never lands in the store's attributes.
 */
export const sourcesForRecord = (sources: Recipe["sources"]): Recipe["sources"] =>
  Object.fromEntries(
    Object.entries(sources).map(([k, s]) => [
      k,
      isStatic(s)
        ? { ...s, catalog: Redact.forRecord(s.catalog) }
        : isStacApi(s)
          ? { ...s, url: Redact.forRecord(s.url) }
          : recordOf(s)
    ])
  )
