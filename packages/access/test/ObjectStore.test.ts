import { AccessPolicy } from "@eoforge/core"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as S3 from "../../../tools/servers/s3.ts"
import * as SigV4 from "../../../tools/servers/sigv4.ts"
import { Auth, Guarded, ObjectStore } from "../src/index.ts"

const secret = "s3cr3t/K7MDENG+bPxRfiCYzzzzKEY"
const object = new Uint8Array(100_000).map((_, i) => (i * 7) & 255)
let server: S3.S3Server
const policy = AccessPolicy.make({ hosts: ["127.0.0.1"], allowPrivateNetworks: true })

beforeAll(async () => {
  server = await S3.start(
    {
      "open-data": { objects: new Map([["a/b c.bin", object]]), public: true },
      "payer-data": {
        objects: new Map([["tiles/B02.bin", object]]),
        requesterPays: true,
        region: "eu-central-1"
      },
      eodata: { objects: new Map([["S2/x.bin", object]]), region: "default" }
    },
    {
      AKIDENV: { secret },
      AKIDTEMP: { secret: "temp-secret", sessionToken: "temp-token-xyz" },
      AKIDCDSE: { secret: "cdse-secret" }
    }
  )
})
afterAll(() => server.close())

const read = async (
  url: string,
  stores: ReadonlyArray<ObjectStore.Store>,
  env: Record<string, string>,
  range = "bytes=10-1009"
) => {
  const auth = Auth.make({ stores }, { env })
  const res = await Guarded.request(url, { headers: { range } }, { policy, auth })
  return { status: res.status, bytes: await res.bytes() }
}

const store = (bucket: string, more: Partial<ObjectStore.Store> = {}): ObjectStore.Store => ({
  bucket,
  endpoint: server.endpoint,
  ...more
})

describe("the independent SigV4 verifier", () => {
  it("reproduces AWS's published get-vanilla example signature", () => {
    const headers = { host: "example.amazonaws.com", "x-amz-date": "20150830T123600Z" }
    const canonical = SigV4.canonicalRequest(
      "GET",
      "/",
      headers,
      ["host", "x-amz-date"],
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert.strictEqual(
      SigV4.signature(
        canonical,
        "20150830T123600Z",
        { date: "20150830", region: "us-east-1", service: "service" },
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
      ),
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )
  })
})

describe("s3:// reads", () => {
  it("reads a range of a public bucket anonymously, sending no credentials", async () => {
    const r = await read("s3://open-data/a/b%20c.bin", [store("open-data")], {
      AWS_ACCESS_KEY_ID: "AKIDENV",
      AWS_SECRET_ACCESS_KEY: secret
    })
    // An endpoint store signs by default; name it anonymous to read without keys.
    assert.strictEqual(r.status, 206)
    const anon = await read(
      "s3://open-data/a/b%20c.bin",
      [store("open-data", { anonymous: true })],
      {}
    )
    assert.strictEqual(anon.status, 206)
    assert.deepStrictEqual(anon.bytes, object.subarray(10, 1010))
    const last = server.log.at(-1)!
    assert.strictEqual(last.headers.authorization, undefined)
    assert.strictEqual(last.path, "/open-data/a/b%20c.bin")
  })

  it("signs requester-pays reads with the environment's keys and the payer header, which the server verifies", async () => {
    const r = await read(
      "s3://payer-data/tiles/B02.bin",
      [store("payer-data", { requesterPays: true, region: "eu-central-1" })],
      { AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: secret }
    )
    assert.strictEqual(r.status, 206)
    assert.deepStrictEqual(r.bytes, object.subarray(10, 1010))
    const last = server.log.at(-1)!
    assert.strictEqual(last.status, 206)
    assert.strictEqual(last.headers["x-amz-request-payer"], "requester")
    assert.match(String(last.headers.authorization), /SignedHeaders=[^,]*x-amz-request-payer/)
  })

  it("learns a bucket's region from the server's answer and signs again", async () => {
    const before = server.log.length
    const r = await read(
      "s3://payer-data/tiles/B02.bin",
      [store("payer-data", { requesterPays: true })],
      { AWS_ACCESS_KEY_ID: "AKIDENV", AWS_SECRET_ACCESS_KEY: secret }
    )
    assert.strictEqual(r.status, 206)
    assert.deepStrictEqual(
      server.log.slice(before).map((l) => l.status),
      [400, 206]
    )
  })

  it("a requester-pays bucket read without the payer setting is AccessDenied naming the bucket and the fix", async () => {
    const error = await read(
      "s3://payer-data/tiles/B02.bin",
      [store("payer-data", { profile: undefined, region: "eu-central-1" })],
      {
        AWS_ACCESS_KEY_ID: "AKIDENV",
        AWS_SECRET_ACCESS_KEY: secret
      }
    ).catch((e: unknown) => e)
    assert.instanceOf(error, Guarded.AccessDenied)
    assert.strictEqual((error as Guarded.AccessDenied).status, 403)
    assert.match(String((error as Error).message), /payer-data.*requesterPays: true/)
    assert.strictEqual(server.log.at(-1)!.code, "AccessDenied")
  })

  it("a requester-pays bucket without any keys is AccessDenied naming the variables to set, before any request", async () => {
    const before = server.log.length
    const error = await read(
      "s3://payer-data/tiles/B02.bin",
      [store("payer-data", { requesterPays: true })],
      { HOME: "/nonexistent" }
    ).catch((e: unknown) => e)
    assert.instanceOf(error, Guarded.AccessDenied)
    assert.match(String((error as Error).message), /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/)
    assert.strictEqual(server.log.length, before)
  })

  it("reads an S3-compatible store with the keys of a named profile from the shared files (session token signed)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eoforge-aws-"))
    await writeFile(
      join(dir, "credentials"),
      "[default]\naws_access_key_id = AKIDENV\naws_secret_access_key = wrong\n\n[cdse]\naws_access_key_id = AKIDTEMP\naws_secret_access_key = temp-secret\naws_session_token = temp-token-xyz\n"
    )
    await writeFile(join(dir, "config"), "[profile cdse]\nregion = default\n")
    const env = {
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
      AWS_CONFIG_FILE: join(dir, "config"),
      // The profile the recipe names wins over the environment's keys.
      AWS_ACCESS_KEY_ID: "AKIDENV",
      AWS_SECRET_ACCESS_KEY: secret
    }
    const r = await read("s3://eodata/S2/x.bin", [store("eodata", { profile: "cdse" })], env)
    assert.strictEqual(r.status, 206)
    assert.deepStrictEqual(r.bytes, object.subarray(10, 1010))
    assert.match(
      String(server.log.at(-1)!.headers.authorization),
      /Credential=AKIDTEMP\/\d{8}\/default\/s3\//
    )
    const wrong = await read(
      "s3://eodata/S2/x.bin",
      [store("eodata", { profile: "default", region: "default" })],
      env
    ).catch((e: unknown) => e)
    assert.instanceOf(wrong, Guarded.AccessDenied)
    assert.match(String((wrong as Error).message), /refused the keys of profile default/)
    assert.strictEqual(server.log.at(-1)!.code, "SignatureDoesNotMatch")
    const missing = await read(
      "s3://eodata/S2/x.bin",
      [store("eodata", { profile: "nobody" })],
      env
    ).catch((e: unknown) => e)
    assert.instanceOf(missing, Guarded.AccessDenied)
    assert.match(String((missing as Error).message), /\[nobody\]/)
  })

  it("maps s3 URLs to AWS's virtual-hosted and path-style addresses", async () => {
    const auth = Auth.make(
      { stores: [{ bucket: "sentinel-cogs", region: "us-west-2" }] },
      { env: {} }
    )
    const p = await auth.prepare("s3://sentinel-cogs/sentinel-s2-l2a-cogs/20/E/B02.tif", "GET", {})
    assert.strictEqual(
      p.url,
      "https://sentinel-cogs.s3.us-west-2.amazonaws.com/sentinel-s2-l2a-cogs/20/E/B02.tif"
    )
    assert.deepStrictEqual(p.headers, {})
    const dotted = await auth.prepare("s3://my.bucket/k(1).tif", "GET", {})
    assert.strictEqual(dotted.url, "https://s3.amazonaws.com/my.bucket/k%281%29.tif")
  })
})
