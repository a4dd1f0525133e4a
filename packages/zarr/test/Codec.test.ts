import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { Codec } from "../src/index.ts"

// Inputs around zstd's block size (128 KiB) and Node's output chunk (16 KiB), of each kind a store holds:
// smooth 16-bit fields, constant runs, incompressible bytes and nothing at all.
const xorshift = (n: number, seed: number): Uint8Array => {
  const out = new Uint8Array(n)
  let x = seed | 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 255
  }
  return out
}
const smooth = (n: number, seed: number): Uint8Array => {
  const noise = xorshift(n >> 1, seed)
  const v = new Uint16Array(n >> 1)
  for (let i = 0; i < v.length; i++) v[i] = 1000 + (i % 264) + (noise[i] >> 1)
  return new Uint8Array(v.buffer)
}
const sizes = [
  0,
  1,
  5,
  1000,
  16383,
  16384,
  16385,
  65536,
  131071,
  131072,
  131073,
  262144,
  1 << 20,
  1672704
]
const inputs = sizes.flatMap((n) => [xorshift(n, n + 7), new Uint8Array(n).fill(9), smooth(n, n)])
const compressions: ReadonlyArray<Codec.Compression> = [
  Codec.zstd(1),
  Codec.zstd(3),
  Codec.gzip(5),
  Codec.none
]

// encodeAsync's pieces, written back to back, against one array.
const same = (pieces: ReadonlyArray<Uint8Array>, b: Uint8Array): boolean => {
  const a = Buffer.concat(pieces)
  return a.length === b.length && Buffer.compare(a, b) === 0
}

describe("Codec", () => {
  it("compresses on the thread pool to the bytes of the synchronous encoder", async () => {
    for (const c of compressions) {
      // All at once, as a shard's chips are: the pool runs them in any order.
      const got = await Promise.all(inputs.map((bytes) => Codec.encodeAsync(c, bytes)))
      inputs.forEach((bytes, i) => {
        const want = Codec.encode(c, bytes)
        assert.isTrue(same(got[i], want), `${c.name}, ${bytes.length} bytes (input ${i})`)
        assert.isTrue(same([Codec.decode(c, Buffer.concat(got[i]))], bytes))
      })
    }
  })

  it("takes large zstd inputs in larger pieces and still gives the synchronous encoder's bytes", async () => {
    // Past 256 KiB the output is taken in 256 KiB pieces: zstd then writes some blocks straight into the
    // output, others through its buffer; up to window sizes smaller than the input (level 3 at 3 MiB).
    const large = [300000, 1672704, 3 << 20].flatMap((n) => [
      xorshift(n, n),
      new Uint8Array(n),
      smooth(n, n + 1)
    ])
    for (const level of [1, 3, 9]) {
      const c = Codec.zstd(level)
      const got = await Promise.all(large.map((bytes) => Codec.encodeAsync(c, bytes)))
      large.forEach((bytes, i) =>
        assert.isTrue(same(got[i], Codec.encode(c, bytes)), `level ${level}, ${bytes.length} bytes`)
      )
    }
  })

  it("gives the synchronous encoder's bytes for any input", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 40000 }),
        fc.constantFrom(...compressions),
        async (bytes, c) => same(await Codec.encodeAsync(c, bytes), Codec.encode(c, bytes))
      ),
      { numRuns: 200 }
    )
  })

  it("records the content size in a zstd frame, as the synchronous encoder does", async () => {
    const bytes = smooth(1 << 20, 3)
    assert.strictEqual(
      Codec.zstdContentSize(Buffer.concat(await Codec.encodeAsync(Codec.zstd(1), bytes))),
      1 << 20
    )
  })
})
