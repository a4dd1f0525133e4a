// Dilation by a disk in metres: equal to the brute-force definition (a pixel is set when some set pixel's
// centre lies within the radius of its own) for radii of 0, 30 and 100 m and random ones, on random masks.
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Morphology } from "../src/index.ts"

const bruteForce = (
  mask: Uint8Array,
  width: number,
  height: number,
  radiusM: number,
  pixelM: number
): Uint8Array => {
  const out = new Uint8Array(width * height)
  const set: Array<readonly [number, number]> = []
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++) if (mask[r * width + c] !== 0) set.push([r, c])
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      // Distances between pixel centres in metres, compared with the radius itself.
      out[r * width + c] = set.some(
        ([sr, sc]) => Math.hypot((sr - r) * pixelM, (sc - c) * pixelM) <= radiusM + 1e-9
      )
        ? 1
        : 0
    }
  }
  return out
}

const randomMask = (width: number, height: number, density: number, seed: number) => {
  let s = seed >>> 0 || 1
  const next = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 4294967296
  }
  return Uint8Array.from({ length: width * height }, () => (next() < density ? 1 : 0))
}

describe("Morphology.dilateDisk", () => {
  it("equals the brute-force disk for 0, 30 and 100 m on 10 m and 20 m grids", () => {
    for (const pixelM of [10, 20]) {
      for (const radiusM of [0, 30, 100]) {
        const mask = randomMask(61, 47, 0.01, radiusM + pixelM)
        const got = Morphology.dilateDisk(mask, 61, 47, radiusM, pixelM)
        const want = bruteForce(mask, 61, 47, radiusM, pixelM)
        assert.deepStrictEqual(Array.from(got), Array.from(want), `${radiusM} m on ${pixelM} m`)
      }
    }
  })

  it("makes a single pixel into the disk of pixel centres within the radius (30 m on 10 m: 29 pixels)", () => {
    const mask = new Uint8Array(21 * 21)
    mask[10 * 21 + 10] = 1
    const out = Morphology.dilateDisk(mask, 21, 21, 30, 10)
    // dx² + dy² ≤ 9: 1 + 4 × 3 (axes) + 4 × 4 (off-axis within the disk) = 29.
    assert.strictEqual(
      out.reduce((a, b) => a + b, 0),
      29
    )
    assert.deepStrictEqual(Morphology.diskHalfWidths(30, 10), [0, 2, 2, 3, 2, 2, 0])
    assert.deepStrictEqual(Morphology.diskHalfWidths(5, 10), [0])
  })

  it("equals the brute force for random masks, radii and pixel sizes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 120, noNaN: true }),
        fc.constantFrom(10, 20, 60),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (width, height, radiusM, pixelM, seed) => {
          const mask = randomMask(width, height, 0.05, seed)
          const got = Morphology.dilateDisk(mask, width, height, radiusM, pixelM)
          const want = bruteForce(mask, width, height, radiusM, pixelM)
          assert.deepStrictEqual(Array.from(got), Array.from(want))
        }
      ),
      { numRuns: 200, seed: 17 }
    )
  })
})
