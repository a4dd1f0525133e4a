// Rasters behind s3:// URLs: read through a local S3-compatible server that verifies SigV4 signatures and the
// requester-pays header; the chip equals the local file's, and credential failures are typed and permanent.
import { Auth } from "@eoforge/access"
import { assert, describe, it } from "@effect/vitest"
import { AccessPolicy } from "@eoforge/core"
import { Effect, type Scope } from "effect"
import { readFileSync } from "node:fs"
import { afterAll, beforeAll } from "vitest"
import * as S3 from "../../../tools/servers/s3.ts"
import { RasterAccess, RasterSource } from "../src/index.ts"
import { cases, fixtures, gridOf } from "./golden.ts"

const layer = RasterSource.layerGeoTiffWith({
  workers: 0,
  http: { timeoutMs: 2000, backoffMs: 10, maxAttempts: 3 }
})
const cog = readFileSync(`${fixtures}derived/L7_ETMs_cog.tif`)
const policy = AccessPolicy.make({ hosts: ["127.0.0.1"], allowPrivateNetworks: true })
let server: S3.S3Server
beforeAll(async () => {
  server = await S3.start(
    {
      "payer-cogs": {
        objects: new Map([["scenes/L7.tif", new Uint8Array(cog)]]),
        requesterPays: true
      }
    },
    { AKIDTEST: { secret: "raster-secret" } }
  )
})
afterAll(() => server.close())

const withAuth = (requesterPays: boolean, env: Record<string, string>) =>
  RasterAccess.withPolicy(
    policy,
    undefined,
    Auth.make(
      { stores: [{ bucket: "payer-cogs", endpoint: server.endpoint, requesterPays }] },
      { env }
    )
  )
const run = <A, E>(effect: Effect.Effect<A, E, RasterSource.RasterSource | Scope.Scope>) =>
  effect.pipe(Effect.scoped, Effect.provide(layer))
const keys = { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "raster-secret" }

describe("rasters in object stores", () => {
  it.effect(
    "a COG in a requester-pays bucket reads the same chip as the local file, every range signed",
    () =>
      run(
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const before = server.log.length
          const remote = yield* raster
            .open("s3://payer-cogs/scenes/L7.tif")
            .pipe(withAuth(true, keys))
          const local = yield* raster.open(`${fixtures}derived/L7_ETMs_cog.tif`)
          const grid = gridOf(cases[0])
          const a = yield* raster
            .read(remote, grid, { resampling: "bilinear" })
            .pipe(withAuth(true, keys))
          const b = yield* raster.read(local, grid, { resampling: "bilinear" })
          assert.deepStrictEqual(a.data, b.data)
          const sent = server.log.slice(before)
          assert.isAbove(sent.length, 0)
          for (const l of sent) {
            assert.strictEqual(l.status, 206)
            assert.strictEqual(l.headers["x-amz-request-payer"], "requester")
          }
          // Ranges only, never the whole file.
          const moved = yield* raster.transfer(remote)
          assert.isBelow(moved.bytes, cog.length)
          assert.isTrue(sent.every((l) => /^bytes=\d+-\d+$/.test(String(l.headers.range))))
        })
      )
  )

  it.effect(
    "without the requester-pays setting the open is Denied, naming the bucket and the setting",
    () =>
      run(
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const error = yield* Effect.flip(
            raster.open("s3://payer-cogs/scenes/L7.tif").pipe(withAuth(false, keys))
          )
          assert.strictEqual(error.problem, "Denied")
          assert.match(error.message, /payer-cogs.*requesterPays: true/)
        })
      )
  )

  it.effect(
    "without credentials the open is Denied, naming the variables, and nothing is sent",
    () =>
      run(
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          const before = server.log.length
          const error = yield* Effect.flip(
            raster
              .open("s3://payer-cogs/scenes/L7.tif")
              .pipe(withAuth(true, { HOME: "/nonexistent" }))
          )
          assert.strictEqual(error.problem, "Denied")
          assert.match(error.message, /AWS_ACCESS_KEY_ID/)
          assert.strictEqual(server.log.length, before)
        })
      )
  )

  it.effect(
    "an s3 URL without credentials configured is read anonymously and refused with the fix",
    () =>
      run(
        Effect.gen(function* () {
          const raster = yield* RasterSource.RasterSource
          // No Authorizer: AWS's public endpoint would be asked; the policy refuses it here before any request.
          const error = yield* Effect.flip(
            raster.open("s3://payer-cogs/scenes/L7.tif").pipe(RasterAccess.withPolicy(policy))
          )
          assert.strictEqual(error.problem, "Refused")
          assert.match(error.message, /payer-cogs\.s3\.amazonaws\.com/)
        })
      )
  )
})
