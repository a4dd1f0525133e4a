// Signed asset URLs never reach a persisted record: a store built by the `eoforge` command from a local
// STAC API whose asset hrefs carry known secrets (an Azure SAS sig/se/skoid, an S3 X-Amz-Signature, a bearer
// access_token), some of them answering 403 or 500, holds none of them in any file, nor in any log line.
import { Codec } from "@eoforge/zarr"
import { spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { Recipe } from "../../src/index.ts"
import * as StacApi from "../stacApi.ts"
import { tempDir } from "../tree.ts"

const root = fileURLToPath(new URL("../../../../", import.meta.url))
const bin = join(root, "packages/cli/src/bin.ts")
const repoNode = join(root, "node_modules/.bin/node")
const node =
  Number(process.versions.node.split(".")[0]) >= 24 || !existsSync(repoNode)
    ? process.execPath
    : repoNode

/** The secrets the catalogue's hrefs carry; none may be persisted or logged. */
const secrets = {
  sasSig: "SASsigSECRET0a1b2c3d4e5f",
  sasSe: "2099-12-31T23:59:59Z",
  sasSkoid: "skoidSECRET-5e6f-7a8b",
  amzSignature: "AMZsignatureSECRET9f8e7d6c",
  amzCredential: "AKIASECRETCREDENTIAL",
  bearer: "BEARERtokenSECRETzz91"
}
const sas = `sv=2021-08-06&se=${encodeURIComponent(secrets.sasSe)}&sp=r&skoid=${secrets.sasSkoid}&sig=${secrets.sasSig}`
const amz = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${secrets.amzCredential}&X-Amz-Signature=${secrets.amzSignature}`
const bearer = `access_token=${secrets.bearer}`

// Which signature each collection's assets carry, and which assets fail.
const assetQuery = (path: string): string =>
  path.includes("/landcover/") || path.includes("/dem/")
    ? sas
    : path.includes("/ls7-seasonal/")
      ? bearer
      : amz
const assetStatus = (path: string): number | undefined =>
  path.includes("/landcover/")
    ? 403
    : path.includes("ls7-seasonal-olinda-2002-09-22")
      ? 500
      : undefined

const recipeText = (url: string) => `
name: secrets
seed: 7
sampling:
  sampler: aoi
  aoi: ${join(Recipe.shippedDirectory, "olinda-aoi.geojson")}
  count: 4
patch:
  size: 960
  resolution: 30
  snap: 30
sources:
  demo:
    type: stac-api
    url: ${url}
slots:
  seasons:
    kind: seasons
    year: 2002
    halfWindowDays: 16
  any:
    kind: any
products:
  - id: ls7s
    source: demo
    collection: ls7-seasonal
    dtype: uint8
    resolution: 30
    slots: seasons
    bands:
      - { name: B3, asset: data, index: 3, nodata: 0 }
  - id: ls7
    source: demo
    collection: ls7
    dtype: uint8
    resolution: 30
    slots: any
    bands:
      - { name: B4, asset: data, index: 4, nodata: 0 }
  - id: dem
    source: demo
    collection: dem
    dtype: float32
    resolution: 30
    slots: any
    bands:
      - { name: elevation, asset: data, index: 1, nodata: -9999 }
  - id: landcover
    source: demo
    collection: landcover
    dtype: uint8
    resolution: 30
    resampling: mode
    slots: any
    bands:
      - { name: class, asset: data, index: 1, nodata: 0 }
split:
  method: random
output:
  store: out/unused.zarr
  shardSamples: 2
concurrency: 2
`

const files = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })

// Compressed files are searched decompressed too (statistics are zstd JSON).
const textOf = (path: string): string => {
  const bytes = readFileSync(path)
  const raw = bytes.toString("latin1")
  if (!path.endsWith(".zst")) return raw
  try {
    return raw + Buffer.from(Codec.decode(Codec.zstd(3), new Uint8Array(bytes))).toString("latin1")
  } catch {
    return raw
  }
}

const tmp = tempDir("secrets")
const store = join(tmp.path, "secrets.zarr")
let server: StacApi.StacApiServer
let outcome: { code: number | null; stdout: string; stderr: string }

beforeAll(async () => {
  server = await StacApi.start({ pageSize: 5, assetQuery, assetStatus })
  const recipe = join(tmp.path, "secrets.yaml")
  writeFileSync(recipe, recipeText(server.url))
  outcome = await new Promise((resolve, reject) => {
    const child = spawn(
      node,
      [bin, "build", recipe, "--out", store, "--log-format", "json", "--json"],
      {
        cwd: root,
        env: { ...process.env, SOURCE_DATE_EPOCH: "1700000000", NO_COLOR: "1" },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")))
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })
}, 120_000)

afterAll(async () => {
  await server?.close()
  tmp.remove()
})

describe("a store built from signed asset URLs", () => {
  it("was built from the signed URLs, some of which failed with 403 and 500", () => {
    assert.strictEqual(outcome.code, 0, outcome.stderr)
    const assets = server.requests.filter((r) => r.path.startsWith("/files/"))
    assert.isTrue(assets.some((r) => r.url?.includes(secrets.sasSig) && r.status === 206))
    assert.isTrue(assets.some((r) => r.url?.includes(secrets.amzSignature) && r.status === 206))
    assert.isTrue(assets.some((r) => r.url?.includes(secrets.bearer) && r.status === 206))
    assert.isTrue(assets.some((r) => r.status === 403))
    assert.isTrue(assets.some((r) => r.status === 500))
  })

  it("records the failed reads, naming the assets with their signatures redacted", () => {
    const records = files(join(store, ".eoforge/jobs")).map((f) => readFileSync(f, "utf8"))
    const all = records.join("\n")
    assert.include(all, "/files/landcover/")
    assert.include(all, "HTTP 403")
    assert.include(all, "ls7-seasonal-olinda-2002-09-22")
    assert.include(all, "sig=REDACTED")
  })

  it("holds no secret in any file of the store", () => {
    const found: Array<string> = []
    for (const path of files(store)) {
      const text = textOf(path)
      for (const [name, secret] of Object.entries(secrets)) {
        if (text.includes(secret) || text.includes(encodeURIComponent(secret)))
          found.push(`${name} in ${path}`)
      }
    }
    assert.isAbove(files(store).length, 10)
    assert.deepStrictEqual(found, [])
  })

  it("prints no secret in any log line or result", () => {
    const lines = `${outcome.stdout}\n${outcome.stderr}`.split("\n").filter((l) => l !== "")
    assert.isAbove(lines.length, 3)
    const leaking = lines.filter((line) =>
      Object.values(secrets).some((s) => line.includes(s) || line.includes(encodeURIComponent(s)))
    )
    assert.deepStrictEqual(leaking, [])
  })
})
