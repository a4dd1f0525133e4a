// Generator of static STAC catalogues for tests and benchmarks: N seeded items over a small area in the
// layouts published catalogues use (items folder, per-item folders, nested year catalogs, item links only,
// absolute links), each document with `self` links naming where it was "published" (another host).
// Usage: import `generate`; `node tools/static-stac/generate.ts OUT_DIR N LAYOUT` writes the tree to disk.
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"

/** How documents are laid out and linked. */
export type Layout =
  | "items-folder" // <collection>/collection.json → <collection>/items/<id>.json
  | "per-item" // <collection>/<id>/<id>.json, the asset beside it (STAC best practices)
  | "by-month" // <collection>/collection.json → <collection>/<yyyy-mm>/catalog.json → items
  | "items-only" // catalog.json links every item directly (items carry `collection`)

export interface Options {
  readonly items: number
  readonly layout: Layout
  /** Collections the items are dealt into, round robin (default one: "alpha"). */
  readonly collections?: ReadonlyArray<string>
  /** Write links as absolute URLs under this base (e.g. `http://127.0.0.1:8080`); default relative. */
  readonly absoluteBase?: string
  /** Where the `self` links say the catalogue lives (default https://published.example.com/stac). */
  readonly published?: string
  readonly seed?: number
}

/** An item as generated (what an API fixture serves for the same catalogue). */
export interface GeneratedItem {
  readonly type: "Feature"
  readonly stac_version: "1.0.0"
  readonly id: string
  readonly collection: string
  readonly geometry: { type: "Polygon"; coordinates: Array<Array<[number, number]>> }
  readonly bbox: [number, number, number, number]
  readonly properties: Record<string, unknown>
  readonly assets: Record<string, Record<string, unknown>>
  readonly links: Array<unknown>
}

export interface Generated {
  /** Documents by path from the server root (`/catalog.json`, …). */
  readonly files: Map<string, string>
  readonly items: ReadonlyArray<GeneratedItem>
  /** Path of each item's document, by item id. */
  readonly itemPaths: ReadonlyMap<string, string>
}

// Park–Miller: small, seeded, identical on every platform.
const prng = (seed: number) => {
  let s = seed % 2147483647 || 1
  return () => {
    s = (s * 48271) % 2147483647
    return s / 2147483647
  }
}

const relative = (from: string, to: string): string => {
  const a = dirname(from).split("/").filter(Boolean)
  const b = to.split("/").filter(Boolean)
  let i = 0
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++
  const up = a.length - i
  return `${up === 0 ? "./" : "../".repeat(up)}${b.slice(i).join("/")}`
}

/** A static catalogue of `items` items over 10–11° E, 45–46° N during 2021. */
export const generate = (options: Options): Generated => {
  const collections = options.collections ?? ["alpha"]
  const published = options.published ?? "https://published.example.com/stac"
  const random = prng(options.seed ?? 42)
  const files = new Map<string, string>()
  const itemPaths = new Map<string, string>()
  const href = (from: string, to: string) =>
    options.absoluteBase === undefined ? relative(from, to) : `${options.absoluteBase}${to}`
  const selfLinks = (path: string) => [
    { rel: "self", href: `${published}${path}`, type: "application/json" },
    { rel: "root", href: href(path, "/catalog.json"), type: "application/json" }
  ]
  const items: Array<GeneratedItem> = []
  const byCollection = new Map<string, Array<{ item: GeneratedItem; path: string }>>()
  for (let i = 0; i < options.items; i++) {
    const collection = collections[i % collections.length]
    const id = `${collection}-${String(i).padStart(7, "0")}`
    const w = 10 + random() * 0.95
    const s = 45 + random() * 0.95
    const size = 0.02 + random() * 0.08
    const t = Date.UTC(2021, 0, 1) + Math.floor(random() * 365 * 86_400) * 1000
    const month = new Date(t).toISOString().slice(0, 7)
    const path =
      options.layout === "per-item"
        ? `/${collection}/${id}/${id}.json`
        : options.layout === "by-month"
          ? `/${collection}/${month}/${id}.json`
          : options.layout === "items-only"
            ? `/items/${id}.json`
            : `/${collection}/items/${id}.json`
    const asset =
      options.layout === "per-item" ? `/${collection}/${id}/${id}.tif` : `/data/${id}.tif`
    const item: GeneratedItem = {
      type: "Feature",
      stac_version: "1.0.0",
      id,
      collection,
      geometry: {
        type: "Polygon",
        coordinates: [
          [
            [w, s],
            [w + size, s],
            [w + size, s + size],
            [w, s + size],
            [w, s]
          ]
        ]
      },
      bbox: [w, s, w + size, s + size],
      properties: {
        datetime: new Date(t).toISOString(),
        "eo:cloud_cover": Math.round(random() * 1000) / 10,
        platform: i % 3 === 0 ? "sentinel-2a" : "sentinel-2b"
      },
      assets: { data: { href: href(path, asset), type: "image/tiff; application=geotiff" } },
      links: [
        ...selfLinks(path),
        {
          rel: "collection",
          href: href(
            path,
            options.layout === "items-only" ? "/catalog.json" : `/${collection}/collection.json`
          )
        }
      ]
    }
    items.push(item)
    itemPaths.set(id, path)
    files.set(path, JSON.stringify(item))
    let list = byCollection.get(collection)
    if (list === undefined) byCollection.set(collection, (list = []))
    list.push({ item, path })
  }
  const rootLinks: Array<unknown> = selfLinks("/catalog.json")
  if (options.layout === "items-only") {
    for (const item of items)
      rootLinks.push({ rel: "item", href: href("/catalog.json", itemPaths.get(item.id)!) })
  } else {
    for (const [collection, list] of byCollection) {
      const path = `/${collection}/collection.json`
      rootLinks.push({ rel: "child", href: href("/catalog.json", path) })
      const links: Array<unknown> = selfLinks(path)
      if (options.layout === "by-month") {
        const years = new Map<string, Array<string>>()
        for (const { path: p } of list) {
          const y = p.split("/")[2]
          years.set(y, [...(years.get(y) ?? []), p])
        }
        for (const [y, paths] of [...years].sort()) {
          const cat = `/${collection}/${y}/catalog.json`
          links.push({ rel: "child", href: href(path, cat) })
          files.set(
            cat,
            JSON.stringify({
              type: "Catalog",
              stac_version: "1.0.0",
              id: `${collection}-${y}`,
              description: `${collection} items of ${y}`,
              links: [...selfLinks(cat), ...paths.map((p) => ({ rel: "item", href: href(cat, p) }))]
            })
          )
        }
      } else {
        for (const { path: p } of list) links.push({ rel: "item", href: href(path, p) })
      }
      files.set(
        path,
        JSON.stringify({
          type: "Collection",
          stac_version: "1.0.0",
          id: collection,
          description: `generated collection ${collection}`,
          license: "CC0-1.0",
          extent: {
            spatial: { bbox: [[10, 45, 11, 46]] },
            temporal: { interval: [["2021-01-01T00:00:00Z", "2022-12-31T23:59:59Z"]] }
          },
          links
        })
      )
    }
  }
  files.set(
    "/catalog.json",
    JSON.stringify({
      type: "Catalog",
      stac_version: "1.0.0",
      id: "generated",
      description: `${options.items} generated items, layout ${options.layout}`,
      links: rootLinks
    })
  )
  return { files, items, itemPaths }
}

/** Write a generated tree under `folder`. */
export const write = (folder: string, generated: Generated): void => {
  for (const [path, text] of generated.files) {
    const file = join(folder, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
}

if (import.meta.main) {
  const [out, n = "1000", layout = "items-folder"] = process.argv.slice(2)
  if (out === undefined) throw new Error("usage: generate.ts OUT_DIR [N] [LAYOUT]")
  write(out, generate({ items: Number(n), layout: layout as Layout }))
}
