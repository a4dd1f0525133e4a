// UTC timestamps of the annotation ("2021-04-01T05:26:23.794457") as exact microseconds since 1970.
// Microsecond counts up to year 2255 are integers below 2^53, so no precision is lost before differencing.

/** Microseconds since 1970-01-01T00:00:00Z of an annotation timestamp, or NaN when malformed. */
export const parseMicros = (s: string): number => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/.exec(s.trim())
  if (m === null) return Number.NaN
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])
  const frac = (m[7] ?? "").padEnd(6, "0").slice(0, 6)
  return ms * 1000 + Number(frac)
}

/** An ISO-8601 string (microsecond precision) of a microsecond count. */
export const formatMicros = (us: number): string => {
  const ms = Math.floor(us / 1000)
  const rest = us - ms * 1000
  const iso = new Date(ms).toISOString() // yyyy-mm-ddThh:mm:ss.mmmZ
  return `${iso.slice(0, 23)}${String(Math.round(rest)).padStart(3, "0")}`
}
