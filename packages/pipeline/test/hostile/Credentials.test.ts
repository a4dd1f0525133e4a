// A build whose assets need credentials, run by the `eoforge` command: one collection in a requester-pays
// S3-compatible bucket (SigV4 checked by the server, session token), one behind an Earthdata-style login
// (token, redirect, cookie, pre-signed object host), one in a bucket the recipe reads anonymously (403).
// The data arrives; the refused slots are AccessDenied naming the asset and the fix, and --retry-failed leaves
// them alone; no secret, signature or signed URL is in any log line, job record or store file.
import { Codec } from "@eoforge/zarr"
import { spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import * as LoginServers from "../../../../tools/servers/login.ts"
import * as S3 from "../../../../tools/servers/s3.ts"
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
const demoData = join(root, "fixtures/demo/data")

const secrets = {
  awsSecret: "wJalrXUtnFEMI-K7MDENG-SECRETKEY-e2e",
  sessionToken: "IQoJb3JpZ2luX2VjE-SESSION-TOKEN-e2e",
  earthdataToken: "EDL-bearer-SECRET-e2e-77",
  // A CDSE password that the token endpoint refuses (a changed or expired account).
  cdsePassword: "CDSE-old-PASSWORD-e2e"
}
const accessKeyId = "ASIAE2ETESTKEY"

const files = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
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

const recipeText = (
  stac: string,
  endpoint: string,
  login: { data: string; urs: string; oidcData: string }
) => `
name: credentials
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
    url: ${stac}
access:
  hosts: [127.0.0.4]
  allowPrivateNetworks: true
  s3:
    - { bucket: demo-payer, endpoint: "${endpoint}", requesterPays: true }
    - { bucket: "*", endpoint: "${endpoint}", anonymous: true }
  logins:
    - { kind: earthdata, hosts: ["${new URL(login.data).hostname}"], urs: "${new URL(login.urs).hostname}" }
    - { kind: oidc, hosts: ["${new URL(login.oidcData).hostname}"], tokenUrl: "${login.urs}/token" }
slots:
  any:
    kind: any
  seasons:
    kind: seasons
    year: 2002
    halfWindowDays: 16
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

const tmp = tempDir("credentials")
const store = join(tmp.path, "credentials.zarr")
const recipe = join(tmp.path, "credentials.yaml")
let s3: S3.S3Server
let logins: LoginServers.Servers
let stac: StacApi.StacApiServer
const outcomes: Array<{ code: number | null; stdout: string; stderr: string }> = []
let privateAfterFirst = 0

const build = (...extra: Array<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(
      node,
      [bin, "build", recipe, "--out", store, "--log-format", "json", "--json", ...extra],
      {
        cwd: root,
        env: {
          // The parent's environment (module conditions) without any credential of the machine's own.
          ...Object.fromEntries(
            Object.entries(process.env).filter(([k]) => !/^(AWS_|EARTHDATA_|CDSE_|PC_SDK_)/.test(k))
          ),
          HOME: tmp.path,
          SOURCE_DATE_EPOCH: "1700000000",
          NO_COLOR: "1",
          AWS_ACCESS_KEY_ID: accessKeyId,
          AWS_SECRET_ACCESS_KEY: secrets.awsSecret,
          AWS_SESSION_TOKEN: secrets.sessionToken,
          EARTHDATA_TOKEN: secrets.earthdataToken,
          CDSE_USERNAME: "nobody",
          CDSE_PASSWORD: secrets.cdsePassword
        },
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

beforeAll(async () => {
  const bytes = (rel: string) => new Uint8Array(readFileSync(join(demoData, rel)))
  s3 = await S3.start(
    {
      "demo-payer": {
        objects: new Map([
          ["ls7/ls7-olinda-2001-07-01.tif", bytes("ls7/ls7-olinda-2001-07-01.tif")]
        ]),
        requesterPays: true
      },
      "demo-private": {
        objects: new Map([
          ["landcover/landcover-olinda.tif", bytes("landcover/landcover-olinda.tif")]
        ])
      }
    },
    { [accessKeyId]: { secret: secrets.awsSecret, sessionToken: secrets.sessionToken } }
  )
  logins = await LoginServers.start({
    files: new Map([["/data/dem/dem-olinda.tif", bytes("dem/dem-olinda.tif")]]),
    tokens: [secrets.earthdataToken],
    user: { name: "nobody", password: "unused-password" }
  })
  stac = await StacApi.start({
    pageSize: 5,
    assetHref: (path) => {
      const rel = path.replace(/^\/files\//, "")
      if (rel.startsWith("ls7/")) return `s3://demo-payer/${rel}`
      if (rel.startsWith("dem/")) return `${logins.data}/data/${rel}`
      if (rel.startsWith("landcover/")) return `s3://demo-private/${rel}`
      if (rel.startsWith("ls7-seasonal/")) return `${logins.oidcData}/odata/${rel}`
      return undefined
    }
  })
  writeFileSync(recipe, recipeText(stac.url, s3.endpoint, logins))
  outcomes.push(await build())
  privateAfterFirst = s3.log.filter((l) => l.path.startsWith("/demo-private/")).length
  outcomes.push(await build("--retry-failed"))
}, 180_000)

afterAll(async () => {
  await Promise.all([stac?.close(), s3?.close(), logins?.close()])
  tmp.remove()
})

const records = () => files(join(store, ".eoforge/jobs")).map((f) => textOf(f))

describe("a build whose assets need credentials", () => {
  it("reads the requester-pays bucket with verified signatures and the archive through its login", () => {
    assert.strictEqual(outcomes[0]!.code, 0, outcomes[0]!.stderr)
    const signed = s3.log.filter((l) => l.path.startsWith("/demo-payer/"))
    assert.isAbove(signed.length, 0)
    assert.isTrue(
      signed.every((l) => l.status === 206 && l.headers["x-amz-request-payer"] === "requester")
    )
    assert.isTrue(signed.every((l) => l.headers["x-amz-security-token"] === secrets.sessionToken))
    const objects = logins.log.filter((l) => l.host === "objects")
    assert.isAbove(objects.length, 0)
    assert.isTrue(objects.every((l) => l.status === 206 && l.authorization === undefined))
    assert.isTrue(
      logins.log.some(
        (l) => l.host === "urs" && l.authorization === `Bearer ${secrets.earthdataToken}`
      )
    )
    assert.include(outcomes[0]!.stdout, "AccessDenied")
  })

  it("records the anonymous bucket's slots as AccessDenied naming the asset and the setting", () => {
    const all = records().join("\n")
    assert.include(all, "AccessDenied")
    assert.match(all, /s3:\/\/demo-private\/landcover\/landcover-olinda\.tif/)
    assert.match(all, /requesterPays: true/)
  })

  it("records the slots behind a refused OIDC login as AccessDenied naming the asset and the variables", () => {
    const all = records().join("\n")
    assert.match(all, /odata\/ls7-seasonal\/ls7-seasonal-olinda-2002-\d\d-\d\d\.tif/)
    assert.match(all, /invalid_grant[^"]*CDSE_USERNAME and CDSE_PASSWORD/)
    // Nothing was read from the archive: no token was ever issued for it.
    assert.isFalse(logins.log.some((l) => l.host === "oidcData"))
  })

  it("--retry-failed leaves AccessDenied slots alone", () => {
    assert.strictEqual(outcomes[1]!.code, 0, outcomes[1]!.stderr)
    // Were AccessDenied retryable, the shards holding it would be rebuilt and the bucket asked again.
    assert.isAbove(privateAfterFirst, 0)
    assert.isTrue(
      s3.log.filter((l) => l.path.startsWith("/demo-private/")).every((l) => l.status === 403)
    )
    assert.strictEqual(
      s3.log.filter((l) => l.path.startsWith("/demo-private/")).length,
      privateAfterFirst
    )
  })

  it("writes no secret, signature or signed URL into any store file, job record or log line", () => {
    const needles = [
      ...Object.values(secrets),
      ...logins.presignedSecrets,
      ...logins.issued,
      "X-Amz-Signature",
      "X-Amz-Credential",
      "Signature=",
      accessKeyId
    ]
    assert.isAbove(logins.presignedSecrets.length, 0)
    const found: Array<string> = []
    const paths = files(store)
    assert.isAbove(paths.length, 10)
    for (const path of paths) {
      const text = textOf(path)
      for (const n of needles)
        if (text.includes(n) || text.includes(encodeURIComponent(n))) found.push(`${n} in ${path}`)
    }
    for (const o of outcomes) {
      const lines = `${o.stdout}\n${o.stderr}`.split("\n").filter((l) => l !== "")
      assert.isAbove(lines.length, 2)
      for (const line of lines)
        for (const n of needles) if (line.includes(n)) found.push(`${n} in a log line`)
    }
    assert.deepStrictEqual(found, [])
  })
})
