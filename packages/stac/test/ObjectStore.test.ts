// Static catalogues in object stores: documents under s3:// read through a local S3-compatible server that
// verifies SigV4; relative links resolve inside the bucket; missing keys are a permanent typed failure.
import { Auth } from "@eoforge/access"
import { assert, describe, it } from "@effect/vitest"
import { AccessPolicy } from "@eoforge/core"
import { Effect, Stream } from "effect"
import { afterAll, beforeAll } from "vitest"
import * as S3 from "../../../tools/servers/s3.ts"
import { StacClient } from "../src/index.ts"
import * as Fx from "./fixture/stacServer.ts"

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
const item = Fx.item({
  id: "S2_A",
  collection: "sentinel-2-l2a",
  datetime: "2021-06-05T10:00:00Z",
  cloud: 3,
  box: [10, 45, 11, 46],
  assets: ["red"],
  baseUrl: "s3://cat"
})
const catalog = {
  type: "Catalog",
  id: "root",
  stac_version: "1.0.0",
  description: "s3",
  links: [{ rel: "child", href: "./s2/collection.json" }]
}
const collection = {
  type: "Collection",
  id: "sentinel-2-l2a",
  stac_version: "1.0.0",
  description: "s2",
  license: "proprietary",
  extent: {},
  links: [{ rel: "item", href: "items/S2_A.json" }]
}
let server: S3.S3Server
beforeAll(async () => {
  server = await S3.start(
    {
      cat: {
        objects: new Map([
          ["catalog.json", json(catalog)],
          ["s2/collection.json", json(collection)],
          ["s2/items/S2_A.json", json(item)]
        ])
      }
    },
    { AKIDCAT: { secret: "catalogue-secret" } }
  )
})
afterAll(() => server.close())

const params = {
  collections: ["sentinel-2-l2a"],
  bbox: [10.2, 45.2, 10.3, 45.3] as const,
  datetime: { start: Date.UTC(2021, 5, 1), end: Date.UTC(2021, 5, 30) }
}
const policy = AccessPolicy.make({ hosts: ["127.0.0.1"], allowPrivateNetworks: true })
const client = (env: Record<string, string>) =>
  StacClient.make({
    timeoutMs: 2000,
    backoffMs: 5,
    maxAttempts: 3,
    requestsPerSecond: 0,
    auth: Auth.make({ stores: [{ bucket: "cat", endpoint: server.endpoint }] }, { env })
  })

describe("static catalogues in object stores", () => {
  it.live(
    "walks a catalogue under s3:// with signed requests, resolving relative links in the bucket",
    () =>
      Effect.gen(function* () {
        const before = server.log.length
        const items = yield* Stream.runCollect(
          client({
            AWS_ACCESS_KEY_ID: "AKIDCAT",
            AWS_SECRET_ACCESS_KEY: "catalogue-secret"
          }).search(StacClient.staticCatalog("s3://cat/catalog.json", policy), params)
        )
        assert.deepStrictEqual(
          items.map((i) => [i.id, i.assets.red!.href]),
          [["S2_A", "s3://cat/cogs/S2_A/red.tif"]]
        )
        assert.deepStrictEqual(
          server.log.slice(before).map((l) => [l.path, l.status]),
          [
            ["/cat/catalog.json", 200],
            ["/cat/s2/collection.json", 200],
            ["/cat/s2/items/S2_A.json", 200]
          ]
        )
      })
  )

  it.live("without keys the search fails at once with a permanent error naming what to set", () =>
    Effect.gen(function* () {
      const before = server.log.length
      const error = yield* Effect.flip(
        Stream.runCollect(
          client({ HOME: "/nonexistent" }).search(
            StacClient.staticCatalog("s3://cat/catalog.json", policy),
            params
          )
        )
      )
      assert.strictEqual(error._tag, "StacHttpError")
      assert.isTrue(error._tag === "StacHttpError" && error.permanent === true)
      assert.match(error.message, /AWS_ACCESS_KEY_ID/)
      assert.strictEqual(server.log.length, before)
    })
  )
})
