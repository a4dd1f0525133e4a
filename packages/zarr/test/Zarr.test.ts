import { assert, describe, it } from "@effect/vitest"
import * as Zarr from "../src/index.ts"
import { Crc32c } from "../src/index.ts"
import fc from "fast-check"

describe("@eoforge/zarr", () => {
  it("exports exactly its documented modules", () => {
    assert.deepStrictEqual(Object.keys(Zarr).sort(), [
      "Codec",
      "Coordinates",
      "Crc32c",
      "Creation",
      "Layout",
      "Metadata",
      "Reader",
      "Shard",
      "ShardWriter",
      "Store",
      "StoreLock",
      "ZarrError"
    ])
  })
})

describe("Crc32c", () => {
  it("matches the published Castagnoli check value and the iSCSI test vectors", () => {
    assert.strictEqual(Crc32c.compute(new TextEncoder().encode("123456789")), 0xe3069283)
    assert.strictEqual(Crc32c.compute(new Uint8Array(32)), 0x8a9136aa)
    assert.strictEqual(Crc32c.compute(new Uint8Array(32).fill(0xff)), 0x62a8ab43)
    assert.strictEqual(Crc32c.compute(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e)
    assert.strictEqual(Crc32c.compute(new Uint8Array(0)), 0)
  })

  it("computes the same checksum in pieces as in one pass", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (bytes, cut) => {
        const k = bytes.length === 0 ? 0 : cut % bytes.length
        const whole = Crc32c.compute(bytes)
        return Crc32c.update(Crc32c.compute(bytes.subarray(0, k)), bytes.subarray(k)) === whole
      })
    )
  })

  it("agrees with a bit-by-bit reference on random inputs", () => {
    const reference = (bytes: Uint8Array) => {
      let c = 0xffffffff
      for (const b of bytes) {
        c ^= b
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
      }
      return ~c >>> 0
    }
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        (bytes) => Crc32c.compute(bytes) === reference(bytes)
      )
    )
  })
})
