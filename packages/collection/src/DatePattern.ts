// Acquisition dates read from file names: a pattern of tokens (`{yyyy}{mm}{dd}`, `{doy}`, `{hh}{mi}{ss}`) or
// a regular expression with named groups (`year`, `month`, `day`, `doy`, `hour`, `minute`, `second`).
// Instants are UTC epoch milliseconds; a name the pattern does not match has no date.

/** A compiled date rule: the instant a file name states, or undefined. */
export interface DatePattern {
  /** What the recipe gave (for messages and the index's key). */
  readonly source: string
  readonly instantOf: (name: string) => number | undefined
}

/** A pattern or regular expression that cannot be used: the message says why. */
export class DatePatternError extends Error {}

const tokens: Readonly<Record<string, readonly [string, string]>> = {
  yyyy: ["year", "\\d{4}"],
  yy: ["year2", "\\d{2}"],
  mm: ["month", "\\d{2}"],
  dd: ["day", "\\d{2}"],
  doy: ["doy", "\\d{3}"],
  hh: ["hour", "\\d{2}"],
  mi: ["minute", "\\d{2}"],
  ss: ["second", "\\d{2}"]
}

const escape = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, "\\$&")

/** The regular expression of a token pattern; `*` matches any run of characters. */
export const regexOfPattern = (pattern: string): RegExp => {
  let source = ""
  const seen = new Set<string>()
  let rest = pattern
  while (rest.length > 0) {
    const m = /^\{([a-z]+)\}/.exec(rest)
    if (m !== null) {
      const token = tokens[m[1]]
      if (token === undefined)
        throw new DatePatternError(
          `{${m[1]}} is not a date token; use ${Object.keys(tokens)
            .map((t) => `{${t}}`)
            .join(", ")}`
        )
      if (seen.has(token[0])) throw new DatePatternError(`{${m[1]}} appears twice`)
      seen.add(token[0])
      source += `(?<${token[0]}>${token[1]})`
      rest = rest.slice(m[0].length)
    } else if (rest[0] === "*") {
      source += ".*?"
      rest = rest.slice(1)
    } else {
      source += escape(rest[0])
      rest = rest.slice(1)
    }
  }
  if (!seen.has("year") && !seen.has("year2"))
    throw new DatePatternError("a date pattern needs {yyyy} or {yy}")
  if (!seen.has("doy") && !(seen.has("month") && seen.has("day")))
    throw new DatePatternError("a date pattern needs {mm} and {dd}, or {doy}")
  return new RegExp(source)
}

const number = (groups: Readonly<Record<string, string | undefined>>, name: string) =>
  groups[name] === undefined ? undefined : Number(groups[name])

/** The instant of a match's named groups, or undefined when they do not form a real date. */
const instantOfGroups = (groups: Readonly<Record<string, string | undefined>>) => {
  const year2 = number(groups, "year2")
  // Two-digit years as POSIX strptime %y: 69–99 are 1900s, 00–68 2000s.
  const year =
    number(groups, "year") ?? (year2 === undefined ? undefined : year2 + (year2 < 69 ? 2000 : 1900))
  if (year === undefined) return undefined
  const hour = number(groups, "hour") ?? 0
  const minute = number(groups, "minute") ?? 0
  const second = number(groups, "second") ?? 0
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const doy = number(groups, "doy")
  if (doy !== undefined) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
    if (doy < 1 || doy > (leap ? 366 : 365)) return undefined
    return Date.UTC(year, 0, doy, hour, minute, second)
  }
  const month = number(groups, "month")
  const day = number(groups, "day")
  if (month === undefined || day === undefined || month < 1 || month > 12 || day < 1)
    return undefined
  const t = Date.UTC(year, month - 1, day, hour, minute, second)
  // Date.UTC rolls 31 April into 1 May: such a name states no date.
  return new Date(t).getUTCDate() === day ? t : undefined
}

const compile = (source: string, regex: RegExp): DatePattern => ({
  source,
  instantOf: (name) => {
    const base = name.split(/[\\/]/).pop() ?? name
    const m = regex.exec(base)
    return m?.groups === undefined ? undefined : instantOfGroups(m.groups)
  }
})

/** A token pattern (`{yyyy}{mm}{dd}`, `S2_{yyyy}-{mm}-{dd}T{hh}{mi}{ss}`), searched in the file's base name. */
export const fromPattern = (pattern: string): DatePattern =>
  compile(pattern, regexOfPattern(pattern))

/** A regular expression with named groups `year` (or `doy`), `month`, `day`, … searched in the base name. */
export const fromRegex = (text: string): DatePattern => {
  let regex: RegExp
  try {
    regex = new RegExp(text)
  } catch (error) {
    throw new DatePatternError(`the regular expression ${text} is invalid (${String(error)})`)
  }
  const names = [...text.matchAll(/\(\?<([A-Za-z0-9_]+)>/g)].map((m) => m[1])
  if (!names.includes("year"))
    throw new DatePatternError(`the regular expression ${text} needs a named group (?<year>…)`)
  if (!names.includes("doy") && !(names.includes("month") && names.includes("day")))
    throw new DatePatternError(
      `the regular expression ${text} needs named groups (?<month>…) and (?<day>…), or (?<doy>…)`
    )
  return compile(`regex:${text}`, regex)
}
