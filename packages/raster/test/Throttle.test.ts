// Range reads from a host that throttles as S3 does (a token bucket of requests; beyond it 503 SlowDown with
// Retry-After: 1): paced at the rate the host serves after its first refusals, nothing lost, retries
// counted — against the same reads unpaced, each refusal waiting out Retry-After.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { defaultHttpOptions, openHttp, totals } from "../src/internal/byteSource.ts"

const fileSize = 32 * 1024 * 1024
const byteAt = (i: number) => (i * 31 + (i >> 8)) & 255

interface Throttling {
  readonly url: string
  /** Arrival time (ms, performance.now) of every request, and whether it was refused. */
  readonly arrivals: Array<{ readonly at: number; readonly refused: boolean }>
  readonly close: () => Promise<void>
}

// `rate` requests per second admitted, a bucket of `burst`; refusals answered at once, as S3 does.
const throttling = async (rate: number, burst: number): Promise<Throttling> => {
  const arrivals: Array<{ at: number; refused: boolean }> = []
  let tokens = burst
  let refilled = performance.now()
  const server: Server = createServer((req, res) => {
    const now = performance.now()
    tokens = Math.min(burst, tokens + ((now - refilled) / 1000) * rate)
    refilled = now
    if (tokens < 1) {
      arrivals.push({ at: now, refused: true })
      const body =
        "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
      res.writeHead(503, { "retry-after": "1", "content-length": body.length }).end(body)
      return
    }
    tokens -= 1
    arrivals.push({ at: now, refused: false })
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "")
    if (m === null) return void res.writeHead(400).end()
    const start = Number(m[1])
    const end = Math.min(fileSize - 1, Number(m[2]))
    const part = Buffer.alloc(end - start + 1)
    for (let i = 0; i < part.length; i++) part[i] = byteAt(start + i)
    res
      .writeHead(206, {
        "content-range": `bytes ${start}-${end}/${fileSize}`,
        "content-length": part.length
      })
      .end(part)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scene.tif`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

// 400 reads of 1 KiB, 64 KiB apart (never coalesced), all asked for at once.
const reads = Array.from({ length: 400 }, (_, k) => ({ offset: k * 65536 + 17, length: 1024 }))

const readAll = async (url: string, pacing: boolean) => {
  const before = { ...totals }
  const source = await openHttp(
    url,
    { ...defaultHttpOptions, blockSize: 1024, coalesceGapBytes: -1, pacing },
    new Map(),
    fileSize
  )
  const started = performance.now()
  const results = await Promise.allSettled(reads.map((r) => source.fetch([r])))
  return {
    results,
    seconds: (performance.now() - started) / 1000,
    throttled: totals.throttled - before.throttled,
    retries: totals.retries - before.retries
  }
}

describe("a host that throttles as S3 does", () => {
  it.live(
    "is read at the rate it serves once it refuses: nothing lost, every refusal retried and counted",
    () =>
      Effect.promise(async () => {
        const rate = 200
        const paced = await throttling(rate, 20)
        const unpaced = await throttling(rate, 20)
        try {
          const p = await readAll(paced.url, true)
          const u = await readAll(unpaced.url, false)
          // Paced: every read arrives, with the right bytes.
          p.results.forEach((r, k) => {
            assert.strictEqual(r.status, "fulfilled", `read ${k}`)
            const bytes = new Uint8Array((r as PromiseFulfilledResult<Array<ArrayBuffer>>).value[0])
            assert.strictEqual(bytes.byteLength, 1024)
            for (const i of [0, 511, 1023])
              assert.strictEqual(bytes[i], byteAt(reads[k].offset + i))
          })
          // Every refusal is counted and retried, and there is no other retry.
          const refused = paced.arrivals.filter((a) => a.refused).length
          assert.isAbove(refused, 0)
          assert.strictEqual(p.throttled, refused)
          assert.strictEqual(p.retries, refused)
          // After adapting (from 250 ms after the first refusal), no half second holds more requests than the
          // host serves in it (with its bucket) and a margin for the probing growth.
          const first = paced.arrivals.find((a) => a.refused)!.at
          const after = paced.arrivals.filter((a) => a.at > first + 250).map((a) => a.at)
          let most = 0
          for (let i = 0, j = 0; i < after.length; i++) {
            while (after[i] - after[j] > 500) j++
            most = Math.max(most, i - j + 1)
          }
          assert.isAtMost(most, (rate / 2) * 1.15 + 20)
          // ... and it does not collapse: over 40 % of the host's rate end to end (AIMD runs at 70–100 %).
          const span = (after.at(-1)! - after[0]) / 1000
          assert.isAbove(after.length / span, rate * 0.4)
          assert.isBelow(refused, reads.length / 4)
          // Unpaced, the same reads are refused many times more, each refusal waits out Retry-After (1 s),
          // and some reads fail after every attempt.
          const unpacedRefused = unpaced.arrivals.filter((a) => a.refused).length
          assert.strictEqual(u.throttled, unpacedRefused)
          assert.isAbove(unpacedRefused, 4 * refused)
          assert.isAbove(u.seconds, 2)
          assert.isAbove(u.results.filter((r) => r.status === "rejected").length, 0)
        } finally {
          await paced.close()
          await unpaced.close()
        }
      }),
    // Rates measured on the wall clock: one more try when a loaded machine starves the event loop.
    { timeout: 30_000, retry: 1 }
  )
})
