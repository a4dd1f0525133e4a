// The decoder thread pool: blocks asked for in one turn go to each thread in one message, handed over (not
// copied), and decode as on the calling thread; a failing block fails alone; a dead thread fails its blocks.
import { assert, describe, it } from "@effect/vitest"
import { getDecoder } from "geotiff"
import { readFileSync } from "node:fs"
import { Worker } from "node:worker_threads"
import { deflateSync, zstdCompressSync } from "node:zlib"
import { vi } from "vitest"
import { register } from "../src/internal/boundedDecoders.ts"
import { makePool } from "../src/internal/decoderPool.ts"

register()

const parameters = {
  tileWidth: 64,
  tileHeight: 32,
  planarConfiguration: 1,
  bitsPerSample: [16],
  predictor: 2,
  maxBytes: 1 << 20
}

const rawBlock = (seed: number): Uint8Array => {
  const bytes = new Uint8Array(64 * 32 * 2)
  let state = seed
  for (let i = 0; i < bytes.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
    bytes[i] = state >>> 16
  }
  return bytes
}

const compressed = (seed: number): ArrayBuffer => new Uint8Array(deflateSync(rawBlock(seed))).buffer

// OS threads of this process (Linux /proc; undefined elsewhere).
const osThreads = (): number | undefined => {
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1])
  } catch {
    return undefined
  }
}

describe("decoder pool", () => {
  it("starts no thread until a block is given to it, and stops at once when none was", async () => {
    const posted = vi.spyOn(Worker.prototype, "postMessage")
    try {
      const before = osThreads()
      const pool = makePool(2)
      // A Worker starts its OS thread in its constructor: an eager pool would show two more here.
      assert.strictEqual(osThreads(), before)
      pool.bindParameters(8, parameters as never)
      await pool.destroy()
      assert.strictEqual(posted.mock.calls.length, 0)
    } finally {
      posted.mockRestore()
    }
  })

  it("fails the blocks asked for in the turn the pool is stopped, starting no thread for them", async () => {
    const pool = makePool(1)
    const decoder = pool.bindParameters(8, parameters as never)
    const pending = decoder.decode(compressed(1))
    await pool.destroy()
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e as Error
    )
    assert.match(String(error?.message), /pool was stopped/)
  })

  it("decodes the blocks of one turn in one message per thread, as the calling thread decodes them", async () => {
    const pool = makePool(2)
    const posted = vi.spyOn(Worker.prototype, "postMessage")
    try {
      const decoder = pool.bindParameters(8, parameters as never)
      const inputs = Array.from({ length: 8 }, (_, i) => compressed(i + 1))
      const results = await Promise.all(inputs.map((b) => decoder.decode(b)))
      assert.strictEqual(posted.mock.calls.length, 2)
      // Handed over: the caller's compressed buffers are detached.
      assert.isTrue(inputs.every((b) => b.byteLength === 0))
      const inline = await getDecoder(8, parameters as never)
      for (let i = 0; i < 8; i++) {
        const expected = new Uint8Array(await inline.decode(compressed(i + 1)))
        assert.deepStrictEqual(new Uint8Array(results[i]), expected)
      }
    } finally {
      posted.mockRestore()
      await pool.destroy()
    }
  })

  it("decodes blocks read into its own buffers as their exact ArrayBuffers, then reuses those buffers", async () => {
    const pool = makePool(2)
    const plain = { ...parameters, predictor: 1 }
    try {
      // DEFLATE with predictor 2, zstd, and an uncompressed block (decoded on the calling thread).
      for (const [compression, params, encode] of [
        [8, parameters, (b: Uint8Array) => deflateSync(b)],
        [50000, plain, (b: Uint8Array) => zstdCompressSync(b)],
        [1, plain, (b: Uint8Array) => b]
      ] as const) {
        const decoder = pool.bindParameters(compression, params as never)
        const local = await getDecoder(compression, params as never)
        for (let round = 0; round < 2; round++) {
          const blocks = Array.from(
            { length: 6 },
            (_, i) => new Uint8Array(encode(rawBlock(i + 1)))
          )
          const want = await Promise.all(blocks.map((b) => local.decode(b.slice().buffer)))
          const before = pool.spares()
          const pooled = blocks.map((b) => {
            const into = pool.block(b.byteLength)
            into.set(b)
            return into
          })
          // Taken from the idle buffers first; blocks are smaller than a pool buffer, so the threads
          // decode only the block's bytes.
          const left = Math.max(0, before - 6)
          assert.strictEqual(pool.spares(), left)
          assert.isTrue(pooled.every((b, i) => b.buffer.byteLength > blocks[i].byteLength))
          const got = await Promise.all(pooled.map((b) => decoder.decode(b)))
          got.forEach((g, i) =>
            assert.deepStrictEqual(new Uint8Array(g), new Uint8Array(want[i]), `${compression}`)
          )
          // The buffers came back (those of uncompressed blocks, decoded here, once copied out).
          assert.strictEqual(pool.spares(), left + 6)
        }
      }
    } finally {
      await pool.destroy()
    }
  })

  it("fails a corrupt block alone and decodes the others of its message", async () => {
    const pool = makePool(1)
    try {
      const decoder = pool.bindParameters(8, parameters as never)
      const corrupt = new Uint8Array(compressed(3))
      corrupt.fill(0xff, 2, 40)
      const outcomes = await Promise.allSettled([
        decoder.decode(compressed(1)),
        decoder.decode(corrupt.buffer),
        decoder.decode(compressed(2))
      ])
      assert.deepStrictEqual(
        outcomes.map((o) => o.status),
        ["fulfilled", "rejected", "fulfilled"]
      )
      // A block inflating past its declared size keeps the phrase the readers recognise.
      const bomb = new Uint8Array(deflateSync(new Uint8Array(64 * 32 * 2 + 4096))).buffer
      const error = await decoder.decode(bomb).then(
        () => undefined,
        (e: unknown) => e as Error
      )
      assert.match(String(error?.message), /past its declared size/)
    } finally {
      await pool.destroy()
    }
  })

  it("stops a thread only after the blocks it was given: every one decodes, then the thread exits", async () => {
    const pool = makePool(1)
    const decoder = pool.bindParameters(8, parameters as never)
    const local = await getDecoder(8, parameters as never)
    const inputs = Array.from({ length: 16 }, (_, i) => compressed(i + 1))
    const want = await Promise.all(inputs.map((b) => local.decode(b.slice(0))))
    const pending = Promise.allSettled(inputs.map((b) => decoder.decode(b)))
    await new Promise((resolve) => setImmediate(resolve))
    const exited = vi.spyOn(Worker.prototype, "terminate")
    try {
      await pool.destroy()
      const outcomes = await pending
      outcomes.forEach((o, i) => {
        assert.strictEqual(o.status, "fulfilled", `block ${i}`)
        assert.deepStrictEqual(
          new Uint8Array((o as PromiseFulfilledResult<ArrayBufferLike>).value),
          new Uint8Array(want[i])
        )
      })
      assert.strictEqual(exited.mock.calls.length, 0, "no thread was terminated")
    } finally {
      exited.mockRestore()
    }
  })

  it("fails the blocks of a thread that stops", async () => {
    const pool = makePool(1)
    const decoder = pool.bindParameters(8, parameters as never)
    const pending = Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => decoder.decode(compressed(i + 1)))
    )
    // Stopped once the blocks are on their way (after the turn that sends them).
    await new Promise((resolve) => setImmediate(resolve))
    await pool.destroy()
    // Every block settles (decoded before the stop, or failed by it): none is left waiting.
    const outcomes = await Promise.race([
      pending,
      new Promise<"stuck">((resolve) => setTimeout(() => resolve("stuck"), 5000))
    ])
    assert.notStrictEqual(outcomes, "stuck")
    for (const o of outcomes as Array<PromiseSettledResult<unknown>>) {
      if (o.status === "rejected") assert.match(String(o.reason), /the decoder thread/)
    }
  })
})
