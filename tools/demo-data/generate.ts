// Builds the offline demo's sources: COGs of Olinda (real Landsat 7 scene and DEM, plus documented synthetic
// seasonal scenes and land cover) in fixtures/demo/data/ and a static STAC 1.0 catalogue in fixtures/demo/stac/.
// Usage: npx node tools/demo-data/generate.ts [--check]   (--check regenerates into a scratch dir and compares bytes)
import type { Band, Chip } from "@eoforge/core"
// The writer module directly, so regenerating needs only it, not the rest of @eoforge/raster.
import * as GeoTiffWriter from "../../packages/raster/src/GeoTiffWriter.ts"
import { fromFile } from "geotiff"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import proj4 from "proj4"
import { mulberry32 } from "./random.ts"

const root = new URL("../../", import.meta.url).pathname
const EPSG = 31985
// SIRGAS 2000 / UTM 25S; SIRGAS 2000 coincides with WGS 84 at the metre level, which the footprints need.
const UTM25S = "+proj=utm +zone=25 +south +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs"
const STAC = "1.0.0"
const EXT = {
  proj: "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
  eo: "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
  raster: "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
  classification: "https://stac-extensions.github.io/classification/v1.1.0/schema.json",
  itemAssets: "https://stac-extensions.github.io/item-assets/v1.0.0/schema.json"
}
// Landsat 7 launch to the ETM+ scan-line-corrector failure: the real scene (no SLC gaps) falls inside.
const LS7_ERA = ["1999-04-15T00:00:00Z", "2003-05-31T00:00:00Z"] as const
const COG = "image/tiff; application=geotiff; profile=cloud-optimized"

interface Raster {
  readonly width: number
  readonly height: number
  readonly x0: number
  readonly y0: number
  readonly resolution: number
  readonly bands: ReadonlyArray<ArrayLike<number>>
}

const readTiff = async (path: string): Promise<Raster> => {
  const image = await (await fromFile(path)).getImage()
  const rasters = (await image.readRasters({ interleave: false })) as unknown as ArrayLike<
    ArrayLike<number>
  >
  const [x0, y0] = image.getOrigin()
  return {
    width: image.getWidth(),
    height: image.getHeight(),
    x0,
    y0,
    resolution: image.getResolution()[0],
    bands: Array.from({ length: image.getSamplesPerPixel() }, (_, b) => rasters[b])
  }
}

const LS7_BANDS: ReadonlyArray<Band.BandSpec & { common: string; fwhm: number }> = [
  { name: "B1", description: "Blue", wavelengthNm: 485, common: "blue", fwhm: 70 },
  { name: "B2", description: "Green", wavelengthNm: 560, common: "green", fwhm: 80 },
  { name: "B3", description: "Red", wavelengthNm: 660, common: "red", fwhm: 60 },
  { name: "B4", description: "Near infrared", wavelengthNm: 835, common: "nir", fwhm: 130 },
  {
    name: "B5",
    description: "Shortwave infrared 1",
    wavelengthNm: 1650,
    common: "swir16",
    fwhm: 200
  },
  {
    name: "B7",
    description: "Shortwave infrared 2",
    wavelengthNm: 2220,
    common: "swir22",
    fwhm: 260
  }
].map((b) => ({ ...b, unit: "DN", nodata: 0 }))

const CLASSES = [
  { value: 1, name: "water", description: "MNDWI > 0.1" },
  { value: 2, name: "dense_vegetation", description: "NDVI > 0.3" },
  { value: 3, name: "sparse_vegetation", description: "0.1 < NDVI ≤ 0.3" },
  { value: 4, name: "built_up_or_bare", description: "everything else" }
]

/**
 * A synthetic season: per-band gain and offset (greener NIR in the rainy season, brighter red and SWIR in the
 * dry season), a haze ramp from west to east, and seeded clouds covering `cloud` of the scene.
 */
interface Season {
  readonly date: string
  readonly gain: ReadonlyArray<number>
  readonly offset: ReadonlyArray<number>
  readonly haze: number
  readonly cloud: number
  readonly seed: number
}

const SEASONS: ReadonlyArray<Season> = [
  {
    date: "2002-03-20",
    gain: [1.0, 1.0, 0.97, 1.08, 0.98, 0.96],
    offset: [2, 1, 0, 0, 0, 0],
    haze: 4,
    cloud: 0.031,
    seed: 1
  },
  {
    date: "2002-06-05",
    gain: [1.02, 1.02, 0.95, 1.15, 0.95, 0.92],
    offset: [6, 4, 2, 0, 0, 0],
    haze: 10,
    cloud: 0.47,
    seed: 2
  },
  {
    date: "2002-06-21",
    gain: [1.02, 1.02, 0.95, 1.15, 0.95, 0.92],
    offset: [5, 3, 1, 0, 0, 0],
    haze: 8,
    cloud: 0.068,
    seed: 3
  },
  {
    date: "2002-09-22",
    gain: [0.98, 1.0, 1.04, 0.97, 1.06, 1.08],
    offset: [0, 0, 0, -2, 0, 0],
    haze: 2,
    cloud: 0.0,
    seed: 4
  },
  {
    date: "2002-12-21",
    gain: [0.97, 0.99, 1.08, 0.92, 1.1, 1.12],
    offset: [-1, 0, 1, -3, 2, 2],
    haze: 1,
    cloud: 0.019,
    seed: 5
  }
]

// A smooth field of random Gaussian blobs; its top `fraction` quantile is the cloud mask, so the cover is exact.
const clouds = (seed: number, w: number, h: number, fraction: number): Float32Array => {
  const random = mulberry32(0xc10d + seed)
  const field = new Float32Array(w * h)
  for (let k = 0; k < 40; k++) {
    const cx = random() * w
    const cy = random() * h
    const s = 8 + random() * 40
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const d2 = ((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s)
        if (d2 < 9) field[y * w + x] += Math.exp(-d2)
      }
    }
  }
  const opacity = new Float32Array(w * h)
  const count = Math.round(fraction * w * h)
  if (count === 0) return opacity
  const sorted = Float32Array.from(field).sort()
  const threshold = sorted[w * h - count]
  const top = sorted[w * h - 1]
  for (let i = 0; i < field.length; i++) {
    // ≥ threshold is cloud; opacity rises from 0.35 at the edge to 1 in the core.
    if (field[i] >= threshold)
      opacity[i] = 0.35 + (0.65 * (field[i] - threshold)) / (top - threshold)
  }
  return opacity
}

const CLOUD_DN = [235, 230, 228, 220, 190, 160]

const seasonal = (ls7: Raster, s: Season): { chip: Chip.Chip; cloudCover: number } => {
  const { width: w, height: h } = ls7
  const n = w * h
  const opacity = clouds(s.seed, w, h, s.cloud)
  const data = new Uint8Array(6 * n)
  for (let b = 0; b < 6; b++) {
    const src = ls7.bands[b]
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x
        const haze = b < 3 ? (s.haze * x) / w : 0
        const clear = src[i] * s.gain[b] + s.offset[b] + haze
        const a = opacity[i]
        const v = Math.round(clear * (1 - a) + CLOUD_DN[b] * a)
        // 0 is nodata: keep data values in 1..255.
        data[b * n + i] = Math.min(255, Math.max(1, v))
      }
    }
  }
  let cloudy = 0
  for (let i = 0; i < n; i++) if (opacity[i] > 0) cloudy++
  return { chip: chipOf(ls7, "uint8", 6, data), cloudCover: cloudy / n }
}

const landcover = (ls7: Raster): Chip.Chip => {
  const n = ls7.width * ls7.height
  const [, b2, b3, b4, b5] = ls7.bands
  const data = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const ndvi = (b4[i] - b3[i]) / (b4[i] + b3[i])
    const mndwi = (b2[i] - b5[i]) / (b2[i] + b5[i])
    data[i] = mndwi > 0.1 ? 1 : ndvi > 0.3 ? 2 : ndvi > 0.1 ? 3 : 4
  }
  return chipOf(ls7, "uint8", 1, data)
}

const chipOf = (
  r: Raster,
  dtype: "uint8" | "float32",
  bands: number,
  data: Uint8Array | Float32Array
) => ({
  grid: {
    crs: { _tag: "Epsg" as const, code: EPSG },
    x0: r.x0,
    y0: r.y0,
    resolution: r.resolution,
    width: r.width,
    height: r.height
  },
  dtype,
  bands,
  data
})

interface Product {
  readonly id: string
  readonly title: string
  readonly description: string
  readonly synthetic: boolean
  readonly bands: ReadonlyArray<Band.BandSpec & { common?: string; fwhm?: number }>
  readonly dtype: "uint8" | "float32"
  readonly overviews: GeoTiffWriter.OverviewResampling
  readonly platform?: string
  readonly items: ReadonlyArray<{
    readonly id: string
    readonly datetime: string
    readonly chip: Chip.Chip
    readonly cloudCover?: number
    readonly derivedFrom?: string
  }>
}

const toLonLat = proj4(UTM25S, "EPSG:4326")
const round = (v: number, digits: number): number => Number(v.toFixed(digits))

const footprint = (chip: Chip.Chip) => {
  const { x0, y0, resolution, width, height } = chip.grid
  const x1 = x0 + width * resolution
  const y1 = y0 - height * resolution
  const ring = [
    [x0, y0],
    [x0, y1],
    [x1, y1],
    [x1, y0],
    [x0, y0]
  ].map(([x, y]) => toLonLat.forward([x, y]).map((v) => round(v, 7)))
  const lons = ring.map((p) => p[0])
  const lats = ring.map((p) => p[1])
  return {
    geometry: { type: "Polygon", coordinates: [ring] },
    bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)],
    projBbox: [x0, y1, x1, y0]
  }
}

const eoBands = (p: Product) =>
  p.bands.map((b) => ({
    name: b.name,
    ...(b.description === undefined ? {} : { description: b.description }),
    ...(b.common === undefined ? {} : { common_name: b.common }),
    ...(b.wavelengthNm === undefined ? {} : { center_wavelength: b.wavelengthNm / 1000 }),
    ...(b.fwhm === undefined ? {} : { full_width_half_max: b.fwhm / 1000 })
  }))

const rasterBands = (p: Product, resolution: number) =>
  p.bands.map((b) => ({
    ...(b.nodata === undefined ? {} : { nodata: b.nodata }),
    data_type: p.dtype,
    spatial_resolution: resolution,
    ...(b.unit === undefined ? {} : { unit: b.unit })
  }))

const PROVIDERS_REAL = [
  {
    name: "U.S. Geological Survey (Landsat 7 ETM+)",
    roles: ["producer", "licensor"],
    url: "https://www.usgs.gov/landsat-missions"
  },
  {
    name: "R package stars (Pebesma et al.), via Debian r-cran-stars 0.6-0-4",
    roles: ["processor", "host"],
    url: "https://cran.r-project.org/package=stars"
  }
]
const PROVIDER_EOFORGE = {
  name: "EOForge demo generator (tools/demo-data/generate.ts)",
  roles: ["processor"],
  url: "https://github.com/eoforge/eoforge"
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + "\n"

const generate = async (out: string): Promise<ReadonlyArray<string>> => {
  const ls7 = await readTiff(join(root, "fixtures/rasters/L7_ETMs.tif"))
  const dem = await readTiff(join(root, "fixtures/rasters/olinda_dem_utm25s.tif"))
  const ls7Data = new Uint8Array(6 * ls7.width * ls7.height)
  ls7.bands.forEach((b, i) => ls7Data.set(b, i * ls7.width * ls7.height))
  const realItem = "ls7-olinda-2001-07-01"
  const products: ReadonlyArray<Product> = [
    {
      id: "ls7",
      title: "Landsat 7 ETM+ over Olinda (real)",
      description:
        "The real Landsat 7 ETM+ scene of Olinda, Brazil, shipped with the R package stars (bands 1, 2, 3, 4, 5, 7; digital numbers). Acquisition date not documented: the item's datetime is nominal, start/end bound the ETM+ SLC-on era.",
      synthetic: false,
      bands: LS7_BANDS,
      dtype: "uint8",
      overviews: "average",
      platform: "landsat-7",
      items: [
        { id: realItem, datetime: "2001-07-01T12:30:00Z", chip: chipOf(ls7, "uint8", 6, ls7Data) }
      ]
    },
    {
      id: "ls7-seasonal",
      title: "Landsat-7-like seasonal scenes over Olinda (SYNTHETIC)",
      description:
        "SYNTHETIC: four seasonal scenes (and one cloudy repeat in June) derived from the real Landsat 7 scene by deterministic per-band gain/offset, a haze ramp and seeded synthetic clouds (tools/demo-data/generate.ts). Same grid and bands as ls7. eo:cloud_cover is the exact fraction of synthetic cloud pixels.",
      synthetic: true,
      bands: LS7_BANDS,
      dtype: "uint8",
      overviews: "average",
      platform: "landsat-7",
      items: SEASONS.map((s) => {
        const { chip, cloudCover } = seasonal(ls7, s)
        return {
          id: `ls7-seasonal-olinda-${s.date}`,
          datetime: `${s.date}T12:30:00Z`,
          chip,
          cloudCover: round(cloudCover * 100, 2),
          derivedFrom: realItem
        }
      })
    },
    {
      id: "dem",
      title: "Digital elevation model of Olinda (real)",
      description:
        "The real DEM of Olinda shipped with the R package stars (olinda_dem_utm25s.tif), float32 metres at ~90 m. The original's CRS is UTM zone 25S on an unnamed GRS 1980 datum; it is tagged here as EPSG:31985 (SIRGAS 2000 / UTM 25S, also GRS 1980), same grid origin as the Landsat scene. Source and date undocumented: datetime is nominal.",
      synthetic: false,
      bands: [
        { name: "elevation", description: "Height above sea level", unit: "m", nodata: -9999 }
      ],
      dtype: "float32",
      overviews: "none",
      items: [
        {
          id: "dem-olinda",
          datetime: "2000-02-16T00:00:00Z",
          chip: chipOf(dem, "float32", 1, Float32Array.from(dem.bands[0]))
        }
      ]
    },
    {
      id: "landcover",
      title: "Land cover of Olinda, 4 classes (SYNTHETIC)",
      description:
        "SYNTHETIC: a categorical layer derived from the real Landsat 7 scene by thresholds (MNDWI > 0.1 water; NDVI > 0.3 dense vegetation; NDVI > 0.1 sparse vegetation; else built-up or bare). Not a validated land-cover product. 0 is nodata.",
      synthetic: true,
      bands: [
        {
          name: "class",
          description: "Land cover class",
          nodata: 0,
          resampling: "mode",
          classes: Object.fromEntries(CLASSES.map((c) => [String(c.value), c.name]))
        }
      ],
      dtype: "uint8",
      overviews: "mode",
      items: [
        {
          id: "landcover-olinda",
          datetime: "2001-07-01T12:30:00Z",
          chip: landcover(ls7),
          derivedFrom: realItem
        }
      ]
    }
  ]

  const written: Array<string> = []
  const put = (path: string, content: string | Uint8Array): void => {
    mkdirSync(dirname(join(out, path)), { recursive: true })
    writeFileSync(join(out, path), content)
    written.push(path)
  }
  const collections = []
  for (const p of products) {
    const itemRefs = []
    for (const item of p.items) {
      const tif = `data/${p.id}/${item.id}.tif`
      put(
        tif,
        GeoTiffWriter.encodeSync(item.chip, {
          bands: p.bands.map(({ name, description, unit, nodata, wavelengthNm }) => ({
            name,
            description,
            unit,
            nodata,
            wavelengthNm
          })),
          overviews: p.overviews,
          metadata: {
            DATETIME: item.datetime,
            SOURCE: p.synthetic
              ? "SYNTHETIC, EOForge tools/demo-data/generate.ts"
              : "r-cran-stars 0.6-0-4"
          }
        })
      )
      const g = item.chip.grid
      const f = footprint(item.chip)
      const itemPath = `stac/${p.id}/items/${item.id}.json`
      const nominal = !p.synthetic
      put(
        itemPath,
        json({
          type: "Feature",
          stac_version: STAC,
          stac_extensions: [
            EXT.proj,
            EXT.raster,
            ...(p.platform === undefined ? [] : [EXT.eo]),
            ...(p.id === "landcover" ? [EXT.classification] : [])
          ],
          id: item.id,
          collection: p.id,
          geometry: f.geometry,
          bbox: f.bbox,
          properties: {
            title: `${p.title}, ${item.datetime.slice(0, 10)}`,
            datetime: item.datetime,
            ...(nominal && p.id === "ls7"
              ? { start_datetime: LS7_ERA[0], end_datetime: LS7_ERA[1] }
              : {}),
            ...(p.platform === undefined
              ? {}
              : { platform: p.platform, instruments: ["etm+"], constellation: "landsat" }),
            gsd: g.resolution,
            // Cloud cover is stated only where it is known: exactly, for the synthetic clouds.
            ...(item.cloudCover === undefined ? {} : { "eo:cloud_cover": item.cloudCover }),
            "proj:epsg": EPSG,
            "proj:shape": [g.height, g.width],
            "proj:transform": [g.resolution, 0, g.x0, 0, -g.resolution, g.y0],
            "proj:bbox": f.projBbox,
            license: "Apache-2.0",
            providers: p.synthetic ? [...PROVIDERS_REAL, PROVIDER_EOFORGE] : PROVIDERS_REAL
          },
          links: [
            { rel: "root", href: "../../catalog.json", type: "application/json" },
            { rel: "parent", href: "../collection.json", type: "application/json" },
            { rel: "collection", href: "../collection.json", type: "application/json" },
            ...(item.derivedFrom === undefined
              ? []
              : [
                  {
                    rel: "derived_from",
                    href: `../../ls7/items/${item.derivedFrom}.json`,
                    type: "application/geo+json"
                  }
                ])
          ],
          assets: {
            data: {
              href: relative(dirname(itemPath), tif),
              type: COG,
              title: p.title,
              roles: ["data"],
              ...(p.platform === undefined ? {} : { "eo:bands": eoBands(p) }),
              "raster:bands": rasterBands(p, g.resolution),
              ...(p.id === "landcover" ? { "classification:classes": CLASSES } : {})
            }
          }
        })
      )
      itemRefs.push({ item, f })
    }
    const dates = p.items.map((i) => i.datetime).sort()
    const bboxes = itemRefs.map((r) => r.f.bbox)
    const bbox = [0, 1, 2, 3].map((k) =>
      k < 2 ? Math.min(...bboxes.map((b) => b[k])) : Math.max(...bboxes.map((b) => b[k]))
    )
    const resolution = p.items[0].chip.grid.resolution
    put(
      `stac/${p.id}/collection.json`,
      json({
        type: "Collection",
        stac_version: STAC,
        stac_extensions: [EXT.itemAssets],
        id: p.id,
        title: p.title,
        description: p.description,
        keywords: ["Olinda", "Brazil", "EOForge demo", ...(p.synthetic ? ["synthetic"] : [])],
        license: "Apache-2.0",
        providers: p.synthetic ? [...PROVIDERS_REAL, PROVIDER_EOFORGE] : PROVIDERS_REAL,
        extent: {
          spatial: { bbox: [bbox] },
          temporal: {
            interval: [
              p.id === "ls7" ? [LS7_ERA[0], LS7_ERA[1]] : [dates[0], dates[dates.length - 1]]
            ]
          }
        },
        summaries: {
          "proj:epsg": [EPSG],
          gsd: [resolution],
          ...(p.platform === undefined
            ? {}
            : { platform: [p.platform], instruments: ["etm+"], "eo:bands": eoBands(p) })
        },
        item_assets: {
          data: {
            type: COG,
            roles: ["data"],
            title: p.title,
            "raster:bands": rasterBands(p, resolution)
          }
        },
        links: [
          { rel: "root", href: "../catalog.json", type: "application/json" },
          { rel: "parent", href: "../catalog.json", type: "application/json" },
          {
            rel: "license",
            href: "https://www.apache.org/licenses/LICENSE-2.0",
            type: "text/html",
            title: "Apache-2.0 (stars package data)"
          },
          ...p.items.map((i) => ({
            rel: "item",
            href: `./items/${i.id}.json`,
            type: "application/geo+json"
          }))
        ]
      })
    )
    collections.push(p)
  }
  put(
    "stac/catalog.json",
    json({
      type: "Catalog",
      stac_version: STAC,
      id: "eoforge-demo-olinda",
      title: "EOForge offline demo: Olinda, Brazil",
      description:
        "Static catalogue of the EOForge offline demo: the real Landsat 7 scene and DEM of Olinda from the R package stars, plus SYNTHETIC seasonal scenes and land cover derived from them (see fixtures/demo/README.md).",
      links: [
        { rel: "root", href: "./catalog.json", type: "application/json" },
        ...collections.map((p) => ({
          rel: "child",
          href: `./${p.id}/collection.json`,
          type: "application/json",
          title: p.title
        }))
      ]
    })
  )
  return written
}

const main = async (): Promise<void> => {
  const target = join(root, "fixtures/demo")
  if (!process.argv.includes("--check")) {
    for (const d of ["data", "stac"]) rmSync(join(target, d), { recursive: true, force: true })
    const files = await generate(target)
    console.log(`wrote ${files.length} files under fixtures/demo/`)
    return
  }
  const scratch = mkdtempSync(join(tmpdir(), "eoforge-demo-"))
  try {
    const files = await generate(scratch)
    const differ = files.filter(
      (f) => !readFileSync(join(scratch, f)).equals(readFileSync(join(target, f)))
    )
    const committed = ["data", "stac"].flatMap((d) =>
      (readdirSync(join(target, d), { recursive: true }) as Array<string>)
        .map((f) => join(d, f))
        .filter((f) => f.endsWith(".tif") || f.endsWith(".json"))
    )
    const extra = committed.filter((f) => !files.includes(f))
    if (differ.length > 0 || extra.length > 0) {
      console.error(
        `differ: ${differ.join(", ") || "none"}; not generated: ${extra.join(", ") || "none"}`
      )
      process.exitCode = 1
    } else console.log(`${files.length} files regenerated byte-identical`)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

await main()
