// Blocks of an HTTP source cut from a response as it arrived (socket reads of any size): views of the pieces,
// copies only where a block straddles two, and the same bytes as the response cut whole; a block being
// fetched is waited for, never fetched again, while other requests end.
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { defaultHttpOptions, openHttp, splitBlocks } from "../src/internal/byteSource.ts"

const cut = (pieces: ReadonlyArray<Uint8Array>, bs: number, count?: number) => {
  const blocks: Array<Uint8Array> = []
  splitBlocks(pieces, bs, (i, block) => (blocks[i] = block), count)
  return blocks
}

describe("splitBlocks", () => {
  it("gives the blocks of the whole response, whatever pieces it arrived in", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 300 }),
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        (sizes, bs, count) => {
          let at = 0
          const pieces = sizes.map((n) => Uint8Array.from({ length: n }, () => at++ % 251))
          const whole = Uint8Array.from({ length: at }, (_, i) => i % 251)
          const blocks = cut(pieces, bs, count)
          const expected = Math.min(count ?? Infinity, Math.ceil(at / bs))
          assert.strictEqual(blocks.length, expected)
          blocks.forEach((block, i) =>
            assert.deepStrictEqual(block, whole.subarray(i * bs, Math.min((i + 1) * bs, at)))
          )
        }
      )
    )
  })

  it("views a block inside one piece and copies one that straddles two", () => {
    const a = new Uint8Array(10).fill(1)
    const b = new Uint8Array(10).fill(2)
    const blocks = cut([a, b], 4)
    assert.strictEqual(blocks[0].buffer, a.buffer)
    assert.strictEqual(blocks[1].buffer, a.buffer)
    // Bytes 8–11: two of each piece, in an array of its own.
    assert.notStrictEqual(blocks[2].buffer, a.buffer)
    assert.notStrictEqual(blocks[2].buffer, b.buffer)
    assert.deepStrictEqual([...blocks[2]], [1, 1, 2, 2])
    assert.strictEqual(blocks[3].buffer, b.buffer)
    assert.deepStrictEqual([...blocks[4]], [2, 2, 2, 2])
  })
})

describe("blocks in flight", () => {
  it("a block whose request is under way is waited for after another request ended", async () => {
    const file = Uint8Array.from({ length: 20 * 1024 }, (_, i) => (i * 13) & 255)
    const ranges: Array<string> = []
    const server = createServer((req, res) => {
      const [from, to] = (req.headers.range ?? "").replace("bytes=", "").split("-").map(Number)
      ranges.push(`${from}-${to}`)
      // The first blocks answer late, the others at once.
      setTimeout(
        () => {
          res.writeHead(206, { "content-range": `bytes ${from}-${to}/${file.byteLength}` })
          res.end(file.subarray(from, to + 1))
        },
        from === 0 ? 150 : 0
      )
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f.tif`
      const options = { ...defaultHttpOptions, blockSize: 1024, coalesceGapBytes: -1 }
      const source = await openHttp(url, options, new Map(), file.byteLength)
      const near = source.fetch([{ offset: 0, length: 4096 }])
      await source.fetch([{ offset: 10 * 1024, length: 2048 }])
      const again = await source.fetch([{ offset: 1024, length: 1024 }])
      const [first] = await near
      assert.deepStrictEqual(new Uint8Array(first), file.subarray(0, 4096))
      assert.deepStrictEqual(new Uint8Array(again[0]), file.subarray(1024, 2048))
      assert.deepStrictEqual(ranges.sort(), ["0-4095", "10240-12287"])
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe("view", () => {
  it("gives a view of one response piece, and copies bytes spanning two into the caller's array", async () => {
    const file = Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 7) & 255)
    const half = 32 * 1024
    // The response is sent in two writes 80 ms apart, so it arrives in (at least) two pieces.
    const server = createServer((req, res) => {
      const [from, to] = (req.headers.range ?? "").replace("bytes=", "").split("-").map(Number)
      res.writeHead(206, { "content-range": `bytes ${from}-${to}/${file.byteLength}` })
      const split = Math.max(from, Math.min(to + 1, half))
      res.write(file.subarray(from, split))
      setTimeout(() => res.end(file.subarray(split, to + 1)), 80)
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f.tif`
      const options = { ...defaultHttpOptions, blockSize: 1024, coalesceGapBytes: -1 }
      const source = await openHttp(url, options, new Map(), file.byteLength)
      const view = source.view!
      await source.fetch([{ offset: 0, length: file.byteLength }])
      const given: Array<Uint8Array> = []
      const into = (n: number) => {
        const a = new Uint8Array(n + 100).fill(9)
        given.push(a)
        return a
      }
      // Inside the first piece: a view of the response, `into` never called.
      const inside = await view({ offset: 1000, length: 5000 }, into)
      assert.deepStrictEqual(inside, file.subarray(1000, 6000))
      assert.strictEqual(given.length, 0)
      // Across the pieces: the caller's array, exactly the bytes asked for.
      const across = await view({ offset: half - 3000, length: 7000 }, into)
      assert.strictEqual(given.length, 1)
      assert.strictEqual(across.buffer, given[0].buffer)
      assert.strictEqual(across.byteLength, 7000)
      assert.deepStrictEqual(across, file.subarray(half - 3000, half + 4000))
      // Without `into`, an array of its own.
      const own = await view({ offset: half - 3000, length: 7000 })
      assert.notStrictEqual(own.buffer, given[0].buffer)
      assert.deepStrictEqual(own, file.subarray(half - 3000, half + 4000))
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe("forget", () => {
  it("drops only the blocks wholly inside the slice: reading them again fetches them, the others not", async () => {
    const file = Uint8Array.from({ length: 16 * 1024 }, (_, i) => (i * 11) & 255)
    const ranges: Array<string> = []
    const server = createServer((req, res) => {
      const [from, to] = (req.headers.range ?? "").replace("bytes=", "").split("-").map(Number)
      ranges.push(`${from}-${to}`)
      res.writeHead(206, { "content-range": `bytes ${from}-${to}/${file.byteLength}` })
      res.end(file.subarray(from, to + 1))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f.tif`
      const options = { ...defaultHttpOptions, blockSize: 1024, coalesceGapBytes: -1 }
      const source = await openHttp(url, options, new Map(), file.byteLength)
      await source.fetch([{ offset: 0, length: 8192 }])
      assert.deepStrictEqual(ranges, ["0-8191"])
      // Blocks 2-4 lie wholly inside [1500, 5200); blocks 1 and 5 only partly.
      source.forget!({ offset: 1500, length: 3700 })
      const edges = await source.view!({ offset: 1024, length: 1024 })
      const after = await source.view!({ offset: 5120, length: 1024 })
      assert.deepStrictEqual(edges, file.subarray(1024, 2048))
      assert.deepStrictEqual(after, file.subarray(5120, 6144))
      assert.deepStrictEqual(ranges, ["0-8191"])
      const again = await source.view!({ offset: 2048, length: 3072 })
      assert.deepStrictEqual(again, file.subarray(2048, 5120))
      assert.deepStrictEqual(ranges, ["0-8191", "2048-5119"])
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
