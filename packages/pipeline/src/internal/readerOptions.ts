// The options of a product's item reader: the preset's merged with the recipe's `readerOptions`, checked and
// normalised by the reader when the recipe is read (a problem naming the product and the fix otherwise).
import type { Product } from "@eoforge/stac"
import type { SourceKind } from "@eoforge/sources"
import type { Recipe } from "../Recipe.ts"
import { readerOf } from "./sourceKinds.ts"

/** The item reader's options of a product (the preset's, then the recipe's) checked by the reader, or the problem. */
export const readerOptionsOf = (
  recipe: Recipe,
  p: Recipe["products"][number],
  base: Product.Preset | undefined,
  resolvePath: (path: string) => string
): SourceKind.ResolvedOptions | string | undefined => {
  const given = p.readerOptions
  if (base?.reader === undefined) {
    if (given !== undefined) {
      return `readerOptions need a preset with an item reader (such as sentinel-1-grd); ${p.preset === undefined ? "this product has no preset" : `preset ${p.preset} has none`}`
    }
    return undefined
  }
  const merged = { ...base.readerOptions, ...given }
  const reader = readerOf(base.reader)
  if (reader?.resolveOptions === undefined) return { options: merged, products: [] }
  return reader.resolveOptions(merged, {
    products: recipe.products.map((q) => q.id),
    product: p.id,
    resolvePath
  })
}
