import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Web from "../../../tools/static-stac/server.ts"
import { Search, StacClient, type StacItem } from "../src/index.ts"
import * as Fx from "./fixture/stacServer.ts"

// Published Earth Search and Planetary Computer documents (../shared/real/stac-items, read in place) laid
// out as static catalogues: the published collection documents with item links added, the items unchanged
// in per-item folders (their own `self`, `parent` and `root` links still name the public APIs), items
// whose collection document was not published linked from the root. The same items served by the STAC API
// fixture must come back identical.
// Beside the clone (CI), or beside the folder holding work trees of the clone.
const real =
  ["../../../../shared/real/stac-items/", "../../../../../shared/real/stac-items/"]
    .map((p) => fileURLToPath(new URL(p, import.meta.url)))
    .find((p) => existsSync(p)) ?? ""
if (real === "") console.warn("SKIPPED: ../shared/real/stac-items is not beside the repository")
const json = (file: string): any => JSON.parse(readFileSync(join(real, file), "utf8"))

interface Tree {
  readonly name: string
  /** Published items: whole files (byte copies) and search pages' features. */
  readonly itemFiles: ReadonlyArray<string>
  readonly pages: ReadonlyArray<string>
  readonly collections: (id: string) => unknown
}

const trees: ReadonlyArray<Tree> = [
  {
    name: "earth-search",
    itemFiles: [
      "earth-search/S2B_20EPT_20250731_0_L2A.json",
      "earth-search/S2B_20EPT_20250731_0_L1C.json",
      "earth-search/S2B_T20EPT_20250731T131905_L2A.json",
      "earth-search/S1A_IW_GRDH_1SSH_20250731T135702_20250731T135722_060328_077F7E.json"
    ],
    pages: [
      "earth-search/es-v1-search-page1.json",
      "earth-search/es-v1-search-page2.json",
      "earth-search/es-v1-l1c-search-eodag.json"
    ],
    collections: (id) =>
      json("earth-search/es-v1-collections.json").collections.find((c: any) => c.id === id)
  },
  {
    name: "planetary-computer",
    itemFiles: [
      "planetary-computer/S2A_MSIL2A_20190101T000001_R116_T60VUK_20201007T214652.json",
      "planetary-computer/S1A_EW_GRDM_1SSH_20220505T235314_20220505T235417_043082_05250D.json"
    ],
    pages: [
      "planetary-computer/pc-search-naip-page1.json",
      "planetary-computer/pc-search-naip-page2.json"
    ],
    collections: (id) => {
      try {
        return json(`planetary-computer/collection-${id}.json`)
      } catch {
        return undefined
      }
    }
  }
]

// Writes the tree; returns the published items by id and the number of items linked from the root.
const layOut = (tree: Tree, root: string) => {
  const items = new Map<string, { text: string; item: any }>()
  for (const f of tree.itemFiles) {
    const text = readFileSync(join(real, f), "utf8")
    items.set(JSON.parse(text).id, { text, item: JSON.parse(text) })
  }
  for (const p of tree.pages)
    for (const item of json(p).features)
      if (!items.has(item.id)) items.set(item.id, { text: JSON.stringify(item), item })
  const byCollection = new Map<string, Array<string>>()
  for (const [id, { item }] of items)
    byCollection.set(item.collection, [...(byCollection.get(item.collection) ?? []), id])
  const rootLinks: Array<unknown> = [
    { rel: "self", href: `https://example.com/${tree.name}/catalog.json` }
  ]
  let loose = 0
  let collectionDocs = 0
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  for (const [collection, ids] of byCollection) {
    const published = tree.collections(collection) as any
    if (published === undefined) {
      for (const id of ids) {
        write(`items/${id}/${id}.json`, items.get(id)!.text)
        rootLinks.push({ rel: "item", href: `./items/${id}/${id}.json` })
        loose++
      }
      continue
    }
    const links = [
      ...published.links,
      ...ids.map((id) => ({ rel: "item", href: `./${id}/${id}.json` }))
    ]
    write(`${collection}/collection.json`, JSON.stringify({ ...published, links }))
    collectionDocs++
    for (const id of ids) write(`${collection}/${id}/${id}.json`, items.get(id)!.text)
    rootLinks.push({ rel: "child", href: `./${collection}/collection.json` })
  }
  write(
    "catalog.json",
    JSON.stringify({ type: "Catalog", stac_version: "1.0.0", id: tree.name, links: rootLinks })
  )
  return { items, byCollection, loose, collectionDocs }
}

const quick = {
  timeoutMs: 5000,
  backoffMs: 5,
  maxAttempts: 2,
  requestsPerSecond: 0,
  staticRequestsPerSecond: 0
}
const world = [-180, -90, 180, 90] as const
const byId = (a: StacItem.Item, b: StacItem.Item) => (a.id < b.id ? -1 : 1)

describe("published catalogue documents as static catalogues", () => {
  for (const tree of trees) {
    it.live.skipIf(real === "")(
      `${tree.name}: every item resolves as published, and as the API serves it`,
      () =>
        Effect.gen(function* () {
          const dir = yield* Effect.acquireRelease(
            Effect.sync(() => mkdtempSync(join(tmpdir(), "eoforge-real-"))),
            (d) => Effect.sync(() => rmSync(d, { recursive: true, force: true }))
          )
          const { items, byCollection, loose, collectionDocs } = layOut(tree, dir)
          assert.isAtLeast(items.size, 12)
          assert.isAtLeast(byCollection.size, 2)
          const web = yield* Effect.acquireRelease(
            Effect.promise(() => Web.start({ folder: dir })),
            (s) => Effect.promise(() => s.close())
          )
          const api = yield* Effect.acquireRelease(
            Effect.promise(() =>
              Fx.start({ items: [...items.values()].map((i) => i.item), dialect: "none" })
            ),
            (s) => Effect.promise(() => s.close())
          )
          const client = StacClient.make(quick)
          const source = StacClient.staticCatalog(`${web.url}/catalog.json`)
          // Each item alone: its own collection, bbox and instant.
          for (const { item } of items.values()) {
            const t = Date.parse(item.properties.datetime)
            const p: Search.SearchParams = {
              collections: [item.collection],
              bbox: Search.itemBBox(item)!,
              datetime: { start: t, end: t }
            }
            const found = yield* Stream.runCollect(client.search(source, p))
            const same = found.find((i) => i.id === item.id)
            assert.isDefined(same, item.id)
            assert.deepStrictEqual(same!.assets, item.assets)
            assert.deepStrictEqual(same!.properties, item.properties)
          }
          // Each collection whole, against the API path.
          for (const collection of byCollection.keys()) {
            const p: Search.SearchParams = { collections: [collection], bbox: world, limit: 100 }
            const viaStatic = [...(yield* Stream.runCollect(client.search(source, p)))].sort(byId)
            const viaApi = [
              ...(yield* Stream.runCollect(client.search(StacClient.api(api.url), p)))
            ].sort(byId)
            assert.deepStrictEqual(
              viaStatic.map((i) => i.id),
              byCollection.get(collection)!.slice().sort()
            )
            assert.deepStrictEqual(viaStatic, viaApi)
          }
          // No link of the published documents (self, parent, root on the public APIs) was followed.
          assert.isTrue(web.requests.every((r) => r.status === 200))
          assert.strictEqual(web.requests.length, 1 + items.size + collectionDocs)
          console.log(tree.name, { items: items.size, collectionDocs, loose })
        }).pipe(Effect.scoped)
    )
  }
})
