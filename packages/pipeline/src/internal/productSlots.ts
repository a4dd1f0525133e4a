// The time slots of a recipe's named slot set (seasons, calendar seasons, months, one window, any time), as
// Products.slotsOf gives them.
import { TimeSlots } from "@eoforge/stac"
import type { Recipe } from "../Recipe.ts"
import { ProductRecipeError } from "./productError.ts"

const farPast = Date.UTC(1900, 0, 1)
const farFuture = Date.UTC(2100, 0, 1) - 1

/** The slots of a named slot set of the recipe. */
export const slotsOf = (
  recipe: Recipe,
  name: string,
  product: string
): ReadonlyArray<TimeSlots.Slot> => {
  const s = Object.hasOwn(recipe.slots, name) ? recipe.slots[name] : undefined
  if (s === undefined) {
    throw new ProductRecipeError({
      product,
      message: `slots "${name}" is not defined; define it under slots: (defined: ${Object.keys(recipe.slots).join(", ") || "none"})`
    })
  }
  const need = (v: number | undefined, key: string): number => {
    if (v === undefined) {
      throw new ProductRecipeError({
        product,
        message: `slots.${name}.${key} is required for kind ${s.kind}`
      })
    }
    return v
  }
  const withFallback = s.fallbackYear === undefined ? {} : { fallbackYear: s.fallbackYear }
  switch (s.kind) {
    case "seasons":
      return TimeSlots.ssl4eoSeasons({
        year: need(s.year, "year"),
        halfWindowDays: s.halfWindowDays,
        ...withFallback
      })
    case "calendar-seasons":
      return TimeSlots.calendarSeasons(need(s.year, "year"), withFallback)
    case "months":
      return TimeSlots.months(need(s.year, "year"))
    case "window": {
      const start = TimeSlots.instant(s.start ?? "")
      const end = TimeSlots.instant(s.end ?? "")
      if (start === undefined || end === undefined) {
        throw new ProductRecipeError({
          product,
          message: `slots.${name} needs start and end as ISO dates, e.g. 2021-06-01 and 2021-06-30`
        })
      }
      // An end given as a date means the whole day.
      const endMs = /^\d{4}-\d{2}-\d{2}$/.test(s.end ?? "") ? end + 86_400_000 - 1 : end
      return [{ id: name, start, end: endMs, reference: Math.floor((start + endMs) / 2) }]
    }
    case "any":
      return [
        {
          id: name,
          start: farPast,
          end: farFuture,
          reference: Math.floor((farPast + farFuture) / 2)
        }
      ]
  }
}
