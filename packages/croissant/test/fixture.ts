// A small described store for the tests: three products (optical, SAR, categorical), six samples, two
// time slots. Store file contents are generated here so their sizes and hashes are real.
import { createHash } from "node:crypto"
import type { Description } from "../src/index.ts"

const splitOf = ["train", "train", "val", "test", "train", "guard"] as const

/** `index/samples.csv` of the fixture: six samples near three cities, as Finalize writes it. */
function samplesCsv(): string {
  const rows = splitOf.map(
    (split, i) =>
      `${i},p${i}-32633,${split},${(14 + i * 0.1).toFixed(1)},${(50 + i * 0.05).toFixed(2)},32633,${400000 + i * 2640},${5540000 + i * 2640},2,1,1`
  )
  return `sample,id,split,lon,lat,epsg,x0,y0,chips_s2l2a,chips_s1grd,chips_worldcover\n${rows.join("\n")}\n`
}

/** `index/<product>.csv` of the fixture: one row per sample × slot, slot 1 of sample 5 missing. */
function chipsCsv(slots: ReadonlyArray<string>): string {
  const head =
    "sample,id,split,time_index,slot,valid,reason,reason_code,acquired,item,cloud_fraction,nodata_fraction"
  const rows = splitOf.flatMap((split, i) =>
    slots.map((slot, t) =>
      i === 5 && t === 1
        ? `${i},p${i}-32633,${split},${t},${slot},0,NoItemInWindow,2,,,,`
        : `${i},p${i}-32633,${split},${t},${slot},1,Ok,0,2024-0${3 + t * 3}-1${i}T10:00:00.000Z,item-${i}-${t},0.0${i},0`
    )
  )
  return `${head}\n${rows.join("\n")}\n`
}

/** The metadata files of the fixture store, path relative to the store root → content. */
export const storeFiles: ReadonlyArray<readonly [string, string]> = [
  [
    "zarr.json",
    JSON.stringify({
      zarr_format: 3,
      node_type: "group",
      attributes: { eoforge: "0.1.0", seed: 42 }
    })
  ],
  ["samples/zarr.json", JSON.stringify({ zarr_format: 3, node_type: "group" })],
  ["samples/id/zarr.json", JSON.stringify({ zarr_format: 3, node_type: "array", shape: [6] })],
  ["s2l2a/zarr.json", JSON.stringify({ zarr_format: 3, node_type: "group" })],
  [
    "s2l2a/data/zarr.json",
    JSON.stringify({ zarr_format: 3, node_type: "array", shape: [6, 2, 4, 8, 8] })
  ],
  ["index.json", JSON.stringify({ shards: 3, complete: true })],
  ["index/samples.csv", samplesCsv()],
  ...(["s2l2a", "s1grd", "worldcover"] as const).map(
    (p) =>
      [`index/${p}.csv`, chipsCsv(p === "worldcover" ? ["any"] : ["spring", "summer"])] as const
  )
]

/** SHA-256 hex of a string or bytes. */
export const sha256 = (content: string | Uint8Array): string =>
  createHash("sha256").update(content).digest("hex")

const arrays = (group: string, names: ReadonlyArray<string>) =>
  names.map((name) => ({
    array: `${group}/${name}`,
    includes: [`${group}/${name}/c/**`] as [string]
  }))

const stats = (product: string, band: string, base: number) =>
  (["train", "val", "test"] as const).map((split, i) => {
    const std = Math.abs(base) / 10 + 0.25
    return {
      product,
      band,
      split,
      count: 1000 - i * 300,
      mean: base + i * 0.5,
      std,
      min: base - 3 * std,
      max: base + 3 * std,
      percentiles: [
        { percent: 1, value: base - 2.5 * std },
        { percent: 99, value: base + 2.5 * std }
      ]
    }
  })

/** The fixture description (a plain object, as the pipeline would build it). */
export const description = (): Description.DatasetDescription => ({
  name: "eoforge-fixture",
  title: "EOForge fixture dataset",
  description:
    "A six-sample test store with Sentinel-2 L2A, Sentinel-1 GRD and WorldCover patches.",
  url: "https://example.org/datasets/eoforge-fixture",
  version: "1.0.0",
  license: "CC-BY-4.0",
  creators: [{ type: "Organization", name: "EOForge", url: "https://example.org/eoforge" }],
  datePublished: "2026-01-15",
  citeAs: "@misc{eoforge_fixture, title={EOForge fixture dataset}, year={2026}}",
  keywords: ["earth observation", "sentinel-2", "sentinel-1"],
  taskCategories: ["image-feature-extraction"],
  sources: [
    {
      name: "Copernicus Sentinel-2 L2A",
      url: "https://dataspace.copernicus.eu",
      license: "https://sentinels.copernicus.eu/documents/247904/690755/Sentinel_Data_Legal_Notice",
      attribution: "Contains modified Copernicus Sentinel data [2024]."
    },
    {
      name: "ESA WorldCover 10 m 2021 v200",
      url: "https://esa-worldcover.org",
      license: "CC-BY-4.0",
      attribution:
        "© ESA WorldCover project 2021 / Contains modified Copernicus Sentinel data (2021) processed by ESA WorldCover consortium."
    },
    {
      name: "SimpleMaps World Cities Basic",
      url: "https://simplemaps.com/data/world-cities",
      license: "CC-BY-4.0",
      attribution:
        "World cities database by SimpleMaps (https://simplemaps.com/data/world-cities), CC BY 4.0."
    },
    {
      name: "Copernicus Sentinel-1 GRD",
      url: "https://dataspace.copernicus.eu",
      attribution:
        "Contains modified Copernicus Sentinel data [2024]; licence not given by the recipe."
    }
  ],
  sampling: {
    rule: "Gaussian (σ = 50 km) around uniformly chosen cities of the 10,000 most populous; overlap ≥ 25 % rejected",
    seed: 42
  },
  timeSlots: [
    { name: "spring", start: "2024-03-05", end: "2024-04-04" },
    { name: "summer", start: "2024-06-06", end: "2024-07-06" }
  ],
  cloudThresholds: [{ product: "s2l2a", maxCloudPercent: 10 }],
  store: {
    path: "fixture.zarr",
    files: storeFiles.map(([path, content]) => ({
      path,
      size: Buffer.byteLength(content),
      sha256: sha256(content)
    })),
    shards: [
      ...arrays("samples", ["id", "lon", "lat", "epsg", "x0", "y0", "split"]),
      ...arrays("s2l2a", ["data", "valid", "reason", "acquired", "item", "cloud", "nodata"]),
      ...arrays("s1grd", ["data", "valid", "reason", "acquired", "item", "cloud", "nodata"]),
      ...arrays("worldcover", ["data", "valid", "reason", "acquired", "item", "cloud", "nodata"])
    ]
  },
  index: {
    samples: "index/samples.csv",
    products: {
      s2l2a: "index/s2l2a.csv",
      s1grd: "index/s1grd.csv",
      worldcover: "index/worldcover.csv"
    }
  },
  samples: { count: 6, train: 3, val: 1, test: 1, guard: 1 },
  products: [
    {
      id: "s2l2a",
      title: "Sentinel-2 L2A surface reflectance",
      dtype: "uint16",
      resolution: 10,
      crs: "per-patch UTM/UPS",
      shape: [6, 2, 4, 8, 8],
      source: "sentinel-2-l2a",
      license: "Copernicus",
      bands: [
        {
          name: "B02",
          description: "Blue",
          wavelengthNm: 492.4,
          unit: "reflectance",
          resolution: 10,
          nodata: 0,
          scale: 0.0001,
          offset: -0.1,
          resampling: "bilinear"
        },
        {
          name: "B03",
          description: "Green",
          wavelengthNm: 559.8,
          unit: "reflectance",
          resolution: 10,
          nodata: 0,
          scale: 0.0001,
          offset: -0.1,
          resampling: "bilinear"
        },
        {
          name: "B04",
          description: "Red",
          wavelengthNm: 664.6,
          unit: "reflectance",
          resolution: 10,
          nodata: 0,
          scale: 0.0001,
          offset: -0.1,
          resampling: "bilinear"
        },
        {
          name: "B08",
          description: "NIR",
          wavelengthNm: 832.8,
          unit: "reflectance",
          resolution: 10,
          nodata: 0,
          scale: 0.0001,
          offset: -0.1,
          resampling: "bilinear"
        }
      ]
    },
    {
      id: "s1grd",
      title: "Sentinel-1 GRD backscatter",
      dtype: "float32",
      resolution: 10,
      crs: "per-patch UTM/UPS",
      shape: [6, 2, 2, 8, 8],
      bands: [
        { name: "VV", polarisation: "VV", unit: "dB", resampling: "bilinear" },
        { name: "VH", polarisation: "VH", unit: "dB", resampling: "bilinear" }
      ]
    },
    {
      id: "worldcover",
      title: "ESA WorldCover 2021",
      dtype: "uint8",
      resolution: 10,
      crs: "per-patch UTM/UPS",
      shape: [6, 1, 1, 8, 8],
      bands: [
        {
          name: "Map",
          description: "Land cover class",
          nodata: 0,
          resampling: "mode",
          classes: { "10": "Tree cover", "50": "Built-up", "80": "Permanent water bodies" }
        }
      ]
    }
  ],
  availability: [
    { product: "s2l2a", slot: "spring", reason: "Ok", count: 4 },
    { product: "s2l2a", slot: "spring", reason: "TooCloudy", count: 1 },
    { product: "s2l2a", slot: "spring", reason: "Guard", count: 1 },
    { product: "s2l2a", slot: "summer", reason: "Ok", count: 5 },
    { product: "s2l2a", slot: "summer", reason: "Guard", count: 1 },
    { product: "s1grd", slot: "spring", reason: "Ok", count: 5 },
    { product: "s1grd", slot: "spring", reason: "Guard", count: 1 },
    { product: "s1grd", slot: "summer", reason: "NoItemInWindow", count: 1 },
    { product: "s1grd", slot: "summer", reason: "Ok", count: 4 },
    { product: "s1grd", slot: "summer", reason: "Guard", count: 1 },
    { product: "worldcover", slot: "spring", reason: "Ok", count: 5 },
    { product: "worldcover", slot: "spring", reason: "Guard", count: 1 }
  ],
  statistics: [
    ...stats("s2l2a", "B02", 1200),
    ...stats("s2l2a", "B03", 1400),
    ...stats("s2l2a", "B04", 1500),
    ...stats("s2l2a", "B08", 2800),
    ...stats("s1grd", "VV", -12.5),
    ...stats("s1grd", "VH", -19.25),
    ...stats("worldcover", "Map", 30)
  ]
})
