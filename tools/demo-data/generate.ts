// Builds the offline demo's sources: COGs of Olinda (real Landsat 7 scene and DEM, plus documented synthetic
// seasonal scenes and land cover) in fixtures/demo/data/ and a static STAC 1.0 catalogue in fixtures/demo/stac/.
// Usage: npx node tools/demo-data/generate.ts [--check]   (--check regenerates into a scratch dir and compares bytes)
// The writer module directly, so regenerating needs only it, not the rest of @eoforge/raster.
import * as GeoTiffWriter from "../../packages/raster/src/GeoTiffWriter.ts"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import {
  chipOf,
  CLASSES,
  EPSG,
  landcover,
  LS7_BANDS,
  readTiff,
  seasonal,
  SEASONS
} from "./scenes.ts"
import {
  COG,
  eoBands,
  EXT,
  footprint,
  json,
  LS7_ERA,
  PROVIDER_EOFORGE,
  PROVIDERS_REAL,
  rasterBands,
  round,
  STAC,
  type Product
} from "./stacDocuments.ts"

const root = new URL("../../", import.meta.url).pathname

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
