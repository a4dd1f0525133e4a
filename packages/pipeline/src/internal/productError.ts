// The error of a recipe product that refers to something the recipe does not define (Products.ProductRecipeError),
// shared by the modules that resolve products, slots and sources.
import { Schema } from "effect"

/** A product that refers to something the recipe does not define. */
export class ProductRecipeError extends Schema.TaggedError<ProductRecipeError>()(
  "ProductRecipeError",
  { product: Schema.String, message: Schema.String }
) {}
