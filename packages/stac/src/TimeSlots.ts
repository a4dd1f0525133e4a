// Time slots: the windows in which one acquisition per patch is chosen (SSL4EO-S12 seasons, calendar seasons, months).
// Instants are epoch milliseconds (UTC); both window ends are inclusive, down to the last millisecond of the last day.

const DAY_MS = 86_400_000

/** One time window; `fallback` is tried when nothing suitable is found in it. */
export interface Slot {
  /** Stable id, e.g. `spring`, `MAM`, `2021-06`. */
  readonly id: string
  /** First instant, epoch ms, inclusive (00:00:00.000 UTC of the first day). */
  readonly start: number
  /** Last instant, epoch ms, inclusive (23:59:59.999 UTC of the last day). */
  readonly end: number
  /** The reference instant the window is centred on (for "closest" selection), epoch ms. */
  readonly reference: number
  /** The same slot in another year, tried when this one yields nothing. */
  readonly fallback?: Slot
}

/** Epoch ms of an ISO-8601 string or a number of ms; undefined when unparseable. */
export const instant = (value: string | number): number | undefined => {
  const t = typeof value === "number" ? value : Date.parse(value)
  return Number.isFinite(t) ? t : undefined
}

/** ISO-8601 UTC text of an instant in epoch ms. */
export const iso = (ms: number): string => new Date(ms).toISOString()

/** The inclusive window of whole UTC days [firstDay, lastDay] given as epoch ms at any time of those days. */
export const days = (id: string, firstDay: number, lastDay: number, reference: number): Slot => ({
  id,
  start: Math.floor(firstDay / DAY_MS) * DAY_MS,
  end: Math.floor(lastDay / DAY_MS) * DAY_MS + DAY_MS - 1,
  reference
})

/** Whether an instant lies in the slot (both ends inclusive). */
export const contains = (slot: Slot, ms: number): boolean => ms >= slot.start && ms <= slot.end

/** SSL4EO-S12's reference dates (month 1–12, day) and their season ids. */
export const ssl4eoReferences: ReadonlyArray<readonly [string, number, number]> = [
  ["spring", 3, 20],
  ["summer", 6, 21],
  ["autumn", 9, 22],
  ["winter", 12, 21]
]

/**
 * SSL4EO-S12 seasons: for each reference date, the whole days from reference − halfWindowDays to
 * reference + halfWindowDays (inclusive: 2·N + 1 days), each with the same window in `fallbackYear`.
 */
export const ssl4eoSeasons = (options: {
  readonly year: number
  readonly halfWindowDays?: number
  readonly fallbackYear?: number
}): ReadonlyArray<Slot> => {
  const n = options.halfWindowDays ?? 15
  const one = (year: number, id: string, month: number, day: number): Slot => {
    const ref = Date.UTC(year, month - 1, day)
    return days(id, ref - n * DAY_MS, ref + n * DAY_MS, ref)
  }
  return ssl4eoReferences.map(([id, m, d]) => {
    const slot = one(options.year, id, m, d)
    return options.fallbackYear === undefined
      ? slot
      : { ...slot, fallback: one(options.fallbackYear, id, m, d) }
  })
}

const monthSpan = (id: string, year: number, firstMonth: number, count: number): Slot => {
  const start = Date.UTC(year, firstMonth, 1)
  const end = Date.UTC(year, firstMonth + count, 1) - 1
  return { id, start, end, reference: Math.floor((start + end) / 2) }
}

/**
 * Meteorological seasons of `year`: DJF (December of the year before, January, February), MAM, JJA, SON.
 * With a hemisphere, ids are spring/summer/autumn/winter of that hemisphere (southern summer is DJF).
 */
export const calendarSeasons = (
  year: number,
  options: { readonly hemisphere?: "north" | "south"; readonly fallbackYear?: number } = {}
): ReadonlyArray<Slot> => {
  const make = (y: number): ReadonlyArray<Slot> => {
    const base = [
      monthSpan("DJF", y, -1, 3),
      monthSpan("MAM", y, 2, 3),
      monthSpan("JJA", y, 5, 3),
      monthSpan("SON", y, 8, 3)
    ]
    if (options.hemisphere === undefined) return base
    const names =
      options.hemisphere === "north"
        ? { DJF: "winter", MAM: "spring", JJA: "summer", SON: "autumn" }
        : { DJF: "summer", MAM: "autumn", JJA: "winter", SON: "spring" }
    return base.map((s) => ({ ...s, id: names[s.id as keyof typeof names] }))
  }
  const slots = make(year)
  if (options.fallbackYear === undefined) return slots
  const fb = make(options.fallbackYear)
  return slots.map((s, i) => ({ ...s, fallback: fb[i] }))
}

/** The hemisphere of a latitude in degrees (the equator counts as north). */
export const hemisphere = (lat: number): "north" | "south" => (lat < 0 ? "south" : "north")

/** The twelve calendar months of `year`, ids `YYYY-MM`. */
export const months = (year: number): ReadonlyArray<Slot> =>
  Array.from({ length: 12 }, (_, m) =>
    monthSpan(`${year}-${String(m + 1).padStart(2, "0")}`, year, m, 1)
  )
