// Rules of one slot set of a recipe: the keys its kind needs and windows that are real dates in the
// years EOForge searches, so that a bad date is a recipe problem, not a failure of the build.
import { TimeSlots } from "@eoforge/stac"
import type { SlotsRecipe } from "../Recipe.ts"
import { limits } from "./recipeLimits.ts"

type Slots = typeof SlotsRecipe.Type

const firstInstant = Date.UTC(limits.firstYear, 0, 1)
const lastInstant = Date.UTC(limits.lastYear + 1, 0, 1) - 1

const isoDate = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/

// An ISO 8601 date or date-time whose calendar date exists (Date.parse takes 2021-02-30 as March 2
// and "1" as 2001), as epoch ms.
const isoInstant = (text: string): number | undefined => {
  const m = isoDate.exec(text)
  if (m === null) return undefined
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) {
    return undefined
  }
  return TimeSlots.instant(text)
}

/** The problems of one slot set, each with its key path inside the set. */
export const slotProblems = (
  s: Slots
): ReadonlyArray<{ readonly path: ReadonlyArray<PropertyKey>; readonly message: string }> => {
  const problems: Array<{ path: ReadonlyArray<PropertyKey>; message: string }> = []
  if (
    (s.kind === "seasons" || s.kind === "calendar-seasons" || s.kind === "months") &&
    s.year === undefined
  ) {
    problems.push({ path: [], message: `kind ${s.kind} needs year` })
  }
  if (s.kind !== "window") return problems
  const instants = (["start", "end"] as const).map((key) => {
    const text = s[key]
    const t = text === undefined ? undefined : isoInstant(text)
    if (text === undefined) {
      problems.push({
        path: [],
        message: `kind window needs ${key} (an ISO date, e.g. 2021-06-01)`
      })
    } else if (t === undefined) {
      problems.push({ path: [key], message: `"${text}" is not an ISO date such as 2021-06-01` })
    } else if (t < firstInstant || t > lastInstant) {
      problems.push({
        path: [key],
        message: `${text} is outside the years ${limits.firstYear}–${limits.lastYear}`
      })
    } else return t
    return undefined
  })
  const [start, end] = instants
  if (start !== undefined && end !== undefined && end < start) {
    problems.push({
      path: ["end"],
      message: `the window ends (${s.end}) before it starts (${s.start})`
    })
  }
  return problems
}
