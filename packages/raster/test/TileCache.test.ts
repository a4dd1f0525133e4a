// The decoded-tile cache: bounded by bytes, least recently used evicted first, one decode per tile even
// when reads overlap, and a closed source's tiles dropped.
import { assert, describe, it } from "@effect/vitest"
import { TileCache } from "../src/internal/tileCache.ts"

const decoder = () => {
  const calls: Array<number> = []
  const decode = (n: number, bytes: number) => () => {
    calls.push(n)
    return Promise.resolve(new ArrayBuffer(bytes))
  }
  return { calls, decode }
}

describe("TileCache", () => {
  it("decodes a tile once however many reads ask for it at the same time", async () => {
    const cache = new TileCache(1000)
    const { calls, decode } = decoder()
    const all = await Promise.all([1, 2, 3].map(() => cache.get(0, "a", decode(1, 100))))
    assert.deepStrictEqual(calls, [1])
    assert.strictEqual(all[0], all[2])
    assert.strictEqual(cache.hits, 2)
  })

  it("keeps at most its capacity in bytes and evicts the least recently used tile", async () => {
    const cache = new TileCache(250)
    const { calls, decode } = decoder()
    await cache.get(0, "a", decode(1, 100))
    await cache.get(0, "b", decode(2, 100))
    await cache.get(0, "a", decode(3, 100)) // a is now the most recently used
    await cache.get(0, "c", decode(4, 100)) // evicts b
    assert.isAtMost(cache.size, 250)
    await cache.get(0, "a", decode(5, 100))
    await cache.get(0, "b", decode(6, 100))
    assert.deepStrictEqual(calls, [1, 2, 4, 6])
  })

  it("decodes every time when its capacity is zero", async () => {
    const cache = new TileCache(0)
    const { calls, decode } = decoder()
    await cache.get(0, "a", decode(1, 10))
    await cache.get(0, "a", decode(2, 10))
    assert.deepStrictEqual(calls, [1, 2])
    assert.strictEqual(cache.size, 0)
  })

  it("drops the tiles of a closed source and keeps the others", async () => {
    const cache = new TileCache(1000)
    const { calls, decode } = decoder()
    await cache.get(1, "1/a", decode(1, 100))
    await cache.get(2, "2/a", decode(2, 100))
    cache.drop(1)
    assert.strictEqual(cache.size, 100)
    await cache.get(1, "1/a", decode(3, 100))
    await cache.get(2, "2/a", decode(4, 100))
    assert.deepStrictEqual(calls, [1, 2, 3])
  })

  it("forgets a tile whose decode failed so that the next read retries it", async () => {
    const cache = new TileCache(1000)
    const failed = await cache
      .get(0, "a", () => Promise.reject(new Error("bad")))
      .then(
        () => false,
        () => true
      )
    assert.isTrue(failed)
    const buffer = await cache.get(0, "a", () => Promise.resolve(new ArrayBuffer(8)))
    assert.strictEqual(buffer.byteLength, 8)
  })
})
