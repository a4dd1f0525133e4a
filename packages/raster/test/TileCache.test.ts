// The decoded-tile cache: bounded by bytes, least recently used evicted first, one decode per tile even
// when reads overlap, partial tiles extended when a read needs more rows, and a closed source's tiles dropped.
import { assert, describe, it } from "@effect/vitest"
import { pausedStreamBytes, TileCache } from "../src/internal/tileCache.ts"

const decoder = () => {
  const calls: Array<number> = []
  const decode = (n: number, bytes: number) => (rows: number) => {
    calls.push(n)
    return Promise.resolve({ buffer: new ArrayBuffer(bytes), rows })
  }
  return { calls, decode }
}

describe("TileCache", () => {
  it("decodes a tile once however many reads ask for it at the same time", async () => {
    const cache = new TileCache(1000)
    const { calls, decode } = decoder()
    const all = await Promise.all([1, 2, 3].map(() => cache.get(0, "a", 4, decode(1, 100))))
    assert.deepStrictEqual(calls, [1])
    assert.strictEqual(all[0], all[2])
    assert.strictEqual(cache.hits, 2)
  })

  it("counts a paused stream against its budget and closes it when the tile leaves the cache", async () => {
    const closed: Array<string> = []
    const paused = (name: string, bytes: number) => () =>
      Promise.resolve({
        buffer: new ArrayBuffer(bytes),
        rows: 2,
        resume: {
          handle: { close: () => void closed.push(name) } as never,
          state: new Uint32Array(2),
          consumed: 10,
          failed: { message: undefined },
          settled: { done: undefined }
        }
      })
    const cache = new TileCache(pausedStreamBytes + 200)
    await cache.get(0, "a", 2, paused("a", 100))
    await new Promise((r) => setTimeout(r, 0))
    assert.strictEqual(cache.size, 100 + pausedStreamBytes)
    await cache.get(0, "b", 2, paused("b", 100)) // over budget: a (least recent) is evicted and closed
    await new Promise((r) => setTimeout(r, 0))
    assert.deepStrictEqual(closed, ["a"])
    cache.drop(0)
    assert.deepStrictEqual(closed, ["a", "b"])
    assert.strictEqual(cache.size, 0)
    // With no room at all nothing is kept, so the stream is closed at once.
    const none = new TileCache(0)
    const d = await none.get(0, "c", 2, paused("c", 100))
    assert.deepStrictEqual(closed, ["a", "b", "c"])
    assert.isUndefined(d.resume)
  })

  it("keeps at most its capacity in bytes and evicts the least recently used tile", async () => {
    const cache = new TileCache(250)
    const { calls, decode } = decoder()
    await cache.get(0, "a", 4, decode(1, 100))
    await cache.get(0, "b", 4, decode(2, 100))
    await cache.get(0, "a", 4, decode(3, 100)) // a is now the most recently used
    await cache.get(0, "c", 4, decode(4, 100)) // evicts b
    assert.isAtMost(cache.size, 250)
    await cache.get(0, "a", 4, decode(5, 100))
    await cache.get(0, "b", 4, decode(6, 100))
    assert.deepStrictEqual(calls, [1, 2, 4, 6])
  })

  it("serves fewer rows from a partial tile and decodes again, replacing it, when a read needs more", async () => {
    const cache = new TileCache(1000)
    const { calls, decode } = decoder()
    await cache.get(0, "a", 8, decode(1, 80))
    const fewer = await cache.get(0, "a", 3, decode(2, 30))
    assert.strictEqual(fewer.rows, 8)
    const more = await cache.get(0, "a", 16, decode(3, 160))
    assert.strictEqual(more.rows, 16)
    assert.strictEqual(cache.size, 160)
    await cache.get(0, "a", 16, decode(4, 160))
    assert.deepStrictEqual(calls, [1, 3])
    assert.strictEqual(cache.extensions, 1)
  })

  it("hands the decode that extends a partial tile the rows held before, to continue from", async () => {
    const cache = new TileCache(1000)
    const held = await cache.get(0, "a", 8, (rows) =>
      Promise.resolve({ buffer: new ArrayBuffer(80), rows })
    )
    const seen: Array<number | undefined> = []
    await cache.get(0, "a", 16, async (rows, previous) => {
      const before = await previous
      seen.push(before?.rows)
      assert.strictEqual(before, held)
      return { buffer: new ArrayBuffer(160), rows }
    })
    await cache.get(0, "b", 4, async (rows, previous) => {
      seen.push((await previous)?.rows)
      return { buffer: new ArrayBuffer(40), rows }
    })
    assert.deepStrictEqual(seen, [8, undefined])
  })

  it("decodes every time when its capacity is zero", async () => {
    const cache = new TileCache(0)
    const { calls, decode } = decoder()
    await cache.get(0, "a", 4, decode(1, 10))
    await cache.get(0, "a", 4, decode(2, 10))
    assert.deepStrictEqual(calls, [1, 2])
    assert.strictEqual(cache.size, 0)
  })

  it("drops the tiles of a closed source and keeps the others", async () => {
    const cache = new TileCache(1000)
    const { calls, decode } = decoder()
    await cache.get(1, "1/a", 4, decode(1, 100))
    await cache.get(2, "2/a", 4, decode(2, 100))
    cache.drop(1)
    assert.strictEqual(cache.size, 100)
    await cache.get(1, "1/a", 4, decode(3, 100))
    await cache.get(2, "2/a", 4, decode(4, 100))
    assert.deepStrictEqual(calls, [1, 2, 3])
  })

  it("forgets a tile whose decode failed so that the next read retries it", async () => {
    const cache = new TileCache(1000)
    const failed = await cache
      .get(0, "a", 1, () => Promise.reject(new Error("bad")))
      .then(
        () => false,
        () => true
      )
    assert.isTrue(failed)
    const decoded = await cache.get(0, "a", 1, (rows) =>
      Promise.resolve({ buffer: new ArrayBuffer(8), rows })
    )
    assert.strictEqual(decoded.buffer.byteLength, 8)
  })
})
