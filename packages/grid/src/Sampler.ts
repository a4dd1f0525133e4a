// Seeded, lazy samplers of patch centres: around cities, uniform on the Earth, uniform in an AOI, AOI tiles, given lists.
// Sample i is a pure function of (seed, i), so results never depend on order, batching or concurrency.
import { Schema, Stream } from "effect"
import * as Aoi from "./Aoi.ts"
import * as Cities from "./Cities.ts"
import * as Geodesic from "./internal/geodesic.ts"
import { parseCsv, parseGeoJson, ParseFailure } from "./internal/locations.ts"
import * as Random from "./Random.ts"
import * as Tiling from "./Tiling.ts"
import * as Zone from "./Zone.ts"

/** One sampled location. */
export interface Sample {
  /** Position in the sampler's sequence, from 0. */
  readonly index: number
  /** Longitude, degrees east, WGS 84, in [-180, 180). */
  readonly lon: number
  /** Latitude, degrees north, WGS 84. */
  readonly lat: number
  /** The city sampled around, as `Name, ISO2` (cities sampler only). */
  readonly city?: string
  /** The given id (locations), or the tile's patch id (tiles). */
  readonly id?: string
}

/** A sampler option out of range. */
export class InvalidSamplerOptionError extends Schema.TaggedError<InvalidSamplerOptionError>()(
  "InvalidSamplerOptionError",
  { option: Schema.String, value: Schema.Unknown, fix: Schema.String }
) {
  override get message(): string {
    return `invalid sampler option ${this.option} = ${String(this.value)}: ${this.fix}`
  }
}

/** A malformed locations file: names the file, the 1-based line (CSV) or feature (GeoJSON) and the value. */
export class LocationsParseError extends Schema.TaggedError<LocationsParseError>()(
  "LocationsParseError",
  {
    file: Schema.String,
    line: Schema.Number,
    unit: Schema.Literals(["line", "feature"]),
    value: Schema.String,
    reason: Schema.String,
    cause: Schema.optional(Schema.Defect())
  }
) {
  override get message(): string {
    return `${this.file} ${this.unit} ${this.line}: ${this.reason} (${JSON.stringify(this.value)}); locations are CSV with a header naming lon and lat (optional id) or GeoJSON Points, WGS 84 degrees`
  }
}

const count = (n: number | undefined): number => {
  if (n === undefined) return Infinity
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InvalidSamplerOptionError({
      option: "count",
      value: n,
      fix: "give a non-negative integer or leave it out for an endless sampler"
    })
  }
  return n
}

// An endless (or count-long) iterable whose item i is draw(i): restartable, lazy, order-free.
const indexed = <A>(n: number, draw: (i: number) => A): Iterable<A> => ({
  *[Symbol.iterator]() {
    for (let i = 0; i < n; i++) yield draw(i)
  }
})

/** A centre to sample around: position in degrees and an optional name carried into `Sample.city`. */
export interface Centre {
  /** Longitude, degrees east, WGS 84. */
  readonly lon: number
  /** Latitude, degrees north, WGS 84. */
  readonly lat: number
  /** Name carried into the samples. */
  readonly name?: string | undefined
}

/** Options of the Gaussian-around-centres sampler. */
export interface GaussianOptions {
  /** Seed of every random choice (safe integer). */
  readonly seed: number
  /** Standard deviation of the ground offset along each axis, kilometres (default 50). */
  readonly sigmaKm?: number | undefined
  /** Number of samples (default: endless). */
  readonly count?: number | undefined
}

/**
 * Locations around given centres: a centre chosen uniformly (or ∝ `weights`), moved by an isotropic 2-D normal
 * ground offset of σ km per axis (uniform bearing, Rayleigh distance) along the WGS 84 geodesic (Vincenty direct).
 */
export const gaussianAround = (
  centres: ReadonlyArray<Centre>,
  options: GaussianOptions & { readonly weights?: ReadonlyArray<number> | undefined }
): Iterable<Sample> => {
  const { seed, weights } = options
  const sigmaKm = options.sigmaKm ?? 50
  if (!Number.isFinite(sigmaKm) || sigmaKm < 0) {
    throw new InvalidSamplerOptionError({
      option: "sigmaKm",
      value: sigmaKm,
      fix: "give a finite distance in km, ≥ 0"
    })
  }
  if (centres.length === 0) {
    throw new InvalidSamplerOptionError({
      option: "centres",
      value: "[]",
      fix: "give at least one centre"
    })
  }
  centres.forEach((c) => Zone.validate(c.lon, c.lat))
  Random.make(seed)
  const n = count(options.count)
  let cumulative: Float64Array | undefined
  let total = 0
  if (weights !== undefined) {
    if (weights.length !== centres.length || weights.some((w) => !(w >= 0 && Number.isFinite(w)))) {
      throw new InvalidSamplerOptionError({
        option: "weights",
        value: `${weights.length} weights`,
        fix: `give one finite weight ≥ 0 per centre (${centres.length})`
      })
    }
    cumulative = new Float64Array(centres.length)
    weights.forEach((w, i) => {
      total += w
      cumulative![i] = total
    })
  }
  const sigma = sigmaKm * 1000
  const out = new Float64Array(2)
  return indexed(n, (index) => {
    const r = Random.derive(seed, index)
    let k: number
    if (cumulative === undefined) k = Random.int(r, centres.length)
    else {
      const u = r.next() * total
      let lo = 0
      let hi = centres.length - 1
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if (cumulative[mid] > u) hi = mid
        else lo = mid + 1
      }
      k = lo
    }
    const c = centres[k]
    const east = sigma * r.normal()
    const north = sigma * r.normal()
    Geodesic.direct(c.lon, c.lat, Math.atan2(east, north), Math.hypot(east, north), out)
    const lon = out[0]
    const lat = out[1]
    return c.name === undefined ? { index, lon, lat } : { index, lon, lat, city: c.name }
  })
}

/** Options of the cities-Gaussian sampler. */
export interface CitiesGaussianOptions extends GaussianOptions {
  /** How many of the most populated cities to sample around (default 10,000, as SSL4EO-S12). */
  readonly topN?: number | undefined
  /** City choice: "uniform" (as SSL4EO-S12, the default) or "population"-weighted. */
  readonly weighting?: "uniform" | "population" | undefined
}

/** SSL4EO-S12 sampling: gaussianAround the top N cities (Cities.top), `city` = `Name, ISO2`. */
export const citiesGaussian = (options: CitiesGaussianOptions): Iterable<Sample> => {
  const weighting = options.weighting ?? "uniform"
  if (weighting !== "uniform" && weighting !== "population") {
    throw new InvalidSamplerOptionError({
      option: "weighting",
      value: weighting,
      fix: 'use "uniform" or "population"'
    })
  }
  const cities = Cities.top(options.topN ?? 10000)
  return gaussianAround(
    cities.map((c) => ({ lon: c.lon, lat: c.lat, name: `${c.name}, ${c.iso2}` })),
    {
      seed: options.seed,
      sigmaKm: options.sigmaKm,
      count: options.count,
      weights: weighting === "population" ? cities.map((c) => c.population) : undefined
    }
  )
}

/** Options of the area-uniform samplers. */
export interface UniformOptions {
  /** Seed of every random choice (safe integer). */
  readonly seed: number
  /** Number of samples (default: endless). */
  readonly count?: number | undefined
}

/** Locations uniform by area on the WGS 84 ellipsoid (uniform longitude, uniform authalic q for latitude). */
export const uniformSphere = (options: UniformOptions): Iterable<Sample> => {
  const { seed } = options
  Random.make(seed)
  return indexed(count(options.count), (index) => {
    const r = Random.derive(seed, index)
    const lon = r.next() * 360 - 180
    const lat = Geodesic.latFromQ((2 * r.next() - 1) * Geodesic.Q_POLE)
    return { index, lon, lat }
  })
}

/** Locations uniform by area inside a GeoJSON Polygon/MultiPolygon, by rejection from its area-uniform bbox. */
export const uniformInAoi = (
  options: UniformOptions & { readonly aoi: unknown }
): Iterable<Sample> => {
  const { seed } = options
  Random.make(seed)
  const aoi = Aoi.fromGeoJson(options.aoi)
  const { minX, minY, maxX, maxY } = aoi.bbox
  const q0 = Geodesic.q(minY)
  const q1 = Geodesic.q(maxY)
  return indexed(count(options.count), (index) => {
    const r = Random.derive(seed, index)
    for (;;) {
      const lon = minX + r.next() * (maxX - minX)
      const lat = Geodesic.latFromQ(q0 + r.next() * (q1 - q0))
      if (Aoi.contains(aoi, lon, lat)) return { index, lon, lat }
    }
  })
}

/** The centre of every tile of an AOI tiling (Tiling.tiles), with the tile's patch id; not random. */
export const tiles = (aoi: unknown, options: Tiling.TilingOptions): Iterable<Sample> => {
  const all = Tiling.tiles(aoi, options)
  return {
    *[Symbol.iterator]() {
      let index = 0
      for (const t of all) yield { index: index++, lon: t.lon, lat: t.lat, id: t.id }
    }
  }
}

/** The locations of a CSV (header with lon, lat in any order, optional id) or GeoJSON Points text; LocationsParseError names file, line and value. */
export const fromLocations = (
  text: string,
  format: "csv" | "geojson",
  file = "<locations>"
): Iterable<Sample> => {
  try {
    const rows = format === "csv" ? parseCsv(text) : parseGeoJson(text)
    return rows.map((row, index) => {
      const lon = row.lon >= 180 ? row.lon - 360 : row.lon
      return row.id === undefined
        ? { index, lon, lat: row.lat }
        : { index, lon, lat: row.lat, id: row.id }
    })
  } catch (e) {
    if (e instanceof ParseFailure) {
      throw new LocationsParseError({ file, ...e.failure, cause: e.cause })
    }
    throw e
  }
}

/** An Effect Stream over a sampler, one sample per chunk so downstream backpressure applies per sample. */
export const stream = <A>(samples: Iterable<A>): Stream.Stream<A> =>
  Stream.fromIterable(samples, { chunkSize: 1 })
