// Queue workers share the headers of the files they read through the store's `.eoforge/headers/`: a worker
// opening a file another worker opened sends no header request, an entry whose version no longer matches
// the server's is read again from the network (the chip is not lost), and the store's bytes are those of a
// single-process build either way. The demo sources over HTTP (ETag and Last-Modified), a real redis-server.
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { HeaderShelf } from "@eoforge/raster"
import { Effect, Fiber, type Layer } from "effect"
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parse, stringify } from "yaml"
import * as Web from "../../../tools/static-stac/server.ts"
import { Build, HeaderCache, Job, Queue, Services } from "../src/index.ts"
import { digest, tempDir } from "./tree.ts"
import { haveRedis, type Redis, startRedis } from "./redis.ts"

const small = fileURLToPath(new URL("./fixtures/small.yaml", import.meta.url))
const demo = resolve(dirname(small), "../../../../fixtures/demo")
const createdAt = "2024-05-06T07:08:09.000Z"
const tmp = tempDir("header-cache")
let server: Web.StaticServer
let redis: Redis | undefined
let redisUrl = ""
let recipe = ""
let reference: Record<string, string> = {}

const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof Services.layer>>) =>
  Effect.runPromise(effect.pipe(Effect.provide(Services.layer)))

beforeAll(async () => {
  server = await Web.start({ folder: demo })
  const r = parse(readFileSync(small, "utf8"))
  r.sampling.aoi = resolve(dirname(small), r.sampling.aoi)
  r.sources.demo.catalog = `${server.url}/stac/catalog.json`
  r.access.localRoots = [demo]
  recipe = join(tmp.path, "http.yaml")
  writeFileSync(recipe, stringify(r))
  if (!haveRedis) return
  redis = await startRedis()
  redisUrl = redis.url
  const single = join(tmp.path, "single.zarr")
  await run(Build.build({ recipe, out: single, createdAt }))
  reference = digest(single)
}, 120_000)

afterAll(async () => {
  redis?.process.kill("SIGKILL")
  await server?.close()
  tmp.remove()
})

// The digest of a single-process build (made by beforeAll when redis-server is there, else here), so that each
// test can run alone.
const referenceDigest = async () => {
  if (Object.keys(reference).length > 0) return
  const single = join(tmp.path, "single-reference.zarr")
  await run(Build.build({ recipe, out: single, createdAt }))
  reference = digest(single)
}

// One worker (its own raster service: another process's caches) until the finalize job ends either way.
const drain = async (queueName: string, jobId: string, options: Partial<Queue.WorkOptions>) => {
  const worker = Effect.runFork(
    Queue.work({ redis: redisUrl, queueName, ...options }).pipe(Effect.provide(Services.layer))
  )
  await Effect.runPromise(
    Queue.wait({ redis: redisUrl, queueName, jobId, pollMs: 100 }).pipe(
      Effect.result,
      Effect.ensuring(Fiber.interrupt(worker))
    )
  )
}

// Header reads of the demo's large COGs (600 KB: their tiles lie past the header's block).
const headerReads = () =>
  server.requests.filter(
    (r) => r.path.includes("/ls7-seasonal/") && /^bytes=0-\d{2,}$/.test(r.range ?? "")
  ).length

const entries = (store: string) => {
  const root = join(store, HeaderCache.prefix)
  const out: Array<string> = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(dir, e.name))
      else out.push(join(dir, e.name))
  }
  walk(root)
  return out
}

/**
 * Every shard built by a first worker whose finalize is refused (the store keeps its caches), shard 1's
 * record removed, then a second worker (a fresh process) rebuilds shard 1 and finalizes: its header reads.
 */
const twoWorkers = async (
  name: string,
  headerCache: boolean,
  between: (store: string) => void = () => {}
) => {
  const out = join(tmp.path, `${name}.zarr`)
  const options = { recipe, out, redis: redisUrl, queueName: name, createdAt, attempts: 1 }
  const first = await run(Queue.enqueue(options))
  await drain(name, first.finalizeJobId!, {
    headerCache,
    beforeAttempt: (a) => {
      if (a.kind === "finalize") throw new Error("finalize later")
    }
  })
  between(out)
  rmSync(join(out, Job.recordKey(1)))
  const second = await run(Queue.enqueue(options))
  assert.deepStrictEqual(second.enqueued, [1])
  const before = headerReads()
  await drain(name, second.finalizeJobId!, { headerCache })
  return { out, headerReads: headerReads() - before }
}

describe.skipIf(!haveRedis)("the store's header cache in queue mode", () => {
  it("a second worker reads no header of the files the first read, and the bytes are a single build's", async () => {
    let shelved = 0
    const cached = await twoWorkers("shared", true, (store) => {
      shelved = entries(store).length
    })
    const uncached = await twoWorkers("unshared", false)
    // One entry per file read (the catalogue's COGs), none without the cache.
    assert.isAtLeast(shelved, 3)
    assert.strictEqual(cached.headerReads, 0)
    assert.isAbove(uncached.headerReads, 0)
    assert.deepStrictEqual(digest(cached.out), reference)
    assert.deepStrictEqual(digest(uncached.out), reference)
  })

  it("entries naming another version than the server's are read again: no chip lost, same bytes", async () => {
    let rewritten = 0
    const stale = await twoWorkers("stale", true, (store) => {
      // As if every file had changed on the server since its entry was written.
      for (const file of entries(store)) {
        const key = relative(join(store, HeaderCache.prefix), file)
        const bytes = new Uint8Array(readFileSync(file))
        const at = bytes.indexOf(0x7b) // the description's JSON
        const length = new DataView(bytes.buffer).getUint32(at - 4, true)
        const description = JSON.parse(new TextDecoder().decode(bytes.subarray(at, at + length)))
        const entry = HeaderShelf.decode(bytes, description.key, description.blockSize)
        assert.isDefined(entry, key)
        const old = HeaderShelf.encode(description.key, description.blockSize, {
          ...entry!,
          version: 'etag:"an older version"'
        })!
        writeFileSync(file, old)
        rewritten++
      }
    })
    assert.isAtLeast(rewritten, 3)
    assert.isAbove(stale.headerReads, 0)
    assert.deepStrictEqual(digest(stale.out), reference)
  })
})

describe("the store's header cache in --shard builds", () => {
  // Partition 0 of 2, then partition 1 (a fresh raster service: another process's caches), which finalizes.
  const partitions = async (name: string, headerCache: boolean) => {
    const out = join(tmp.path, `${name}.zarr`)
    await run(Build.build({ recipe, out, createdAt, shard: { index: 0, count: 2 }, headerCache }))
    const shelved = headerCache ? entries(out).length : 0
    const before = headerReads()
    await run(Build.build({ recipe, out, createdAt, shard: { index: 1, count: 2 }, headerCache }))
    return { out, shelved, headerReads: headerReads() - before }
  }

  it("the second partition reads no header of the files the first read, and the bytes are a single build's", async () => {
    await referenceDigest()
    const cached = await partitions("shards-shared", true)
    const uncached = await partitions("shards-unshared", false)
    assert.isAtLeast(cached.shelved, 3)
    assert.strictEqual(cached.headerReads, 0)
    assert.isAbove(uncached.headerReads, 0)
    assert.deepStrictEqual(digest(cached.out), reference)
    assert.deepStrictEqual(digest(uncached.out), reference)
  })

  it("a build on two threads sharing headers through the store stores a single build's bytes", async () => {
    await referenceDigest()
    const out = join(tmp.path, "threads.zarr")
    await run(Build.build({ recipe, out, createdAt, threads: 2 }))
    assert.deepStrictEqual(digest(out), reference)
  })
})
