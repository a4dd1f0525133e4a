// GDAL's PAM sidecar (<file>.aux.xml): the SRS and geotransform GDAL keeps there (PROFILE=BASELINE files,
// edits of read-only files), per-band nodata and the class names of a raster attribute table.
import { readFile } from "node:fs/promises"

/** What a sidecar adds to a GeoTIFF. */
export interface Pam {
  /** The SRS as GDAL wrote it (WKT2 since GDAL 3, WKT1 before). */
  readonly srs: string | undefined
  /** GDAL-order geotransform. */
  readonly geoTransform: readonly [number, number, number, number, number, number] | undefined
  /** Nodata of band 1 (GDAL writes one per band; a GeoTIFF holds one for all). */
  readonly nodata: number | undefined
  /** Per band (0-based), class names by value from the attribute table or the category names. */
  readonly classes: ReadonlyArray<Readonly<Record<string, string>> | undefined>
}

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, "&")

const tag = (xml: string, name: string) =>
  new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml)?.[1]

// GDAL field usages (GDALRATFieldUsage): 2 = name, 3 = min, 5 = min-max.
const usageName = 2
const usageMin = 3
const usageMinMax = 5

/** Class names of a GDALRasterAttributeTable: the name column (else the first string column) by value. */
const attributeClasses = (rat: string, open: string): Record<string, string> | undefined => {
  const fields = [...rat.matchAll(/<FieldDefn index="(\d+)">([\s\S]*?)<\/FieldDefn>/g)].map(
    (m) => ({
      index: Number(m[1]),
      type: Number(tag(m[2], "Type")),
      usage: Number(tag(m[2], "Usage"))
    })
  )
  const name =
    fields.find((f) => f.usage === usageName) ?? fields.find((f) => f.type === 2 && f.usage === 0)
  if (name === undefined) return undefined
  const valueField =
    fields.find((f) => f.usage === usageMinMax) ?? fields.find((f) => f.usage === usageMin)
  const row0 = Number(/Row0Min="([^"]*)"/.exec(open)?.[1] ?? NaN)
  const bin = Number(/BinSize="([^"]*)"/.exec(open)?.[1] ?? NaN)
  const classes: Record<string, string> = {}
  for (const row of rat.matchAll(/<Row index="(\d+)">([\s\S]*?)<\/Row>/g)) {
    const cells = [...row[2].matchAll(/<F>([\s\S]*?)<\/F>|<F\s*\/>/g)].map((c) =>
      unescape(c[1] ?? "")
    )
    const label = cells[name.index]
    if (label === undefined || label.trim() === "") continue
    const i = Number(row[1])
    const value =
      valueField !== undefined
        ? Number(cells[valueField.index])
        : Number.isFinite(row0) && Number.isFinite(bin)
          ? row0 + i * bin
          : i
    if (Number.isFinite(value)) classes[String(value)] = label
  }
  return Object.keys(classes).length > 0 ? classes : undefined
}

/** Parses the text of an .aux.xml sidecar. */
export const parsePam = (xml: string): Pam => {
  const srsText = tag(xml, "SRS")
  const gtText = tag(xml, "GeoTransform")
  const gt = gtText?.split(",").map((v) => Number(v.trim()))
  const bands: Array<Record<string, string> | undefined> = []
  let nodata: number | undefined
  for (const m of xml.matchAll(/<PAMRasterBand\s+band="(\d+)"[^>]*>([\s\S]*?)<\/PAMRasterBand>/g)) {
    const b = Number(m[1]) - 1
    const body = m[2]
    const nd = tag(body, "NoDataValue")
    if (b === 0 && nd !== undefined && Number.isFinite(Number(nd.trim())))
      nodata = Number(nd.trim())
    const ratOpen = /<GDALRasterAttributeTable[^>]*>/.exec(body)?.[0] ?? ""
    const rat = tag(body, "GDALRasterAttributeTable")
    let classes = rat === undefined ? undefined : attributeClasses(rat, ratOpen)
    const categories = tag(body, "CategoryNames")
    if (classes === undefined && categories !== undefined) {
      const names = [...categories.matchAll(/<Category>([\s\S]*?)<\/Category>|<Category\s*\/>/g)]
      const entries = names
        .map((c, i) => [String(i), unescape(c[1] ?? "")] as const)
        .filter(([, v]) => v !== "")
      if (entries.length > 0) classes = Object.fromEntries(entries)
    }
    if (b >= 0) bands[b] = classes
  }
  return {
    srs: srsText === undefined || srsText.trim() === "" ? undefined : unescape(srsText).trim(),
    geoTransform:
      gt !== undefined && gt.length === 6 && gt.every(Number.isFinite)
        ? (gt as unknown as Pam["geoTransform"])
        : undefined,
    nodata,
    classes: bands
  }
}

/** Largest sidecar read over HTTP: 4 MiB (an attribute table of a few thousand classes is ~1 MiB). */
export const maxSidecarBytes = 4 * 1024 * 1024

/**
 * The sidecar of a URL (`<path>.aux.xml`, query kept so a signed container URL still works), or undefined when
 * the server has none or cannot be reached: as GDAL over /vsicurl/, a missing sidecar is not an error.
 */
export const readPamUrl = async (
  url: string,
  get: (url: string) => Promise<{ readonly status: number; readonly text: () => Promise<string> }>
): Promise<Pam | undefined> => {
  const u = new URL(url)
  u.hash = ""
  u.pathname = `${u.pathname}.aux.xml`
  try {
    const res = await get(u.href)
    if (res.status !== 200) return undefined
    return parsePam(await res.text())
  } catch {
    return undefined
  }
}

/** The sidecar of a local file, or undefined when there is none (GDAL reads it the same way). */
export const readPam = async (path: string): Promise<Pam | undefined> => {
  let text: string
  try {
    text = await readFile(`${path}.aux.xml`, "utf8")
  } catch {
    return undefined
  }
  return parsePam(text)
}
