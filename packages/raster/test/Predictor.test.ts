// Predictor 2 (horizontal differencing) of the bounded decoders against geotiff.js's own applyPredictor (run
// by its raw decoder) on generated blocks: 8/16/32-bit samples, chunky and planar multi-sample pixels, short
// last strips, and the blocks geotiff.js refuses.
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { getDecoder } from "geotiff"
import { deflateSync } from "node:zlib"
import { register, undoPredictor2 } from "../src/internal/boundedDecoders.ts"

register()

interface Case {
  readonly bits: 8 | 16 | 32
  readonly samples: number
  readonly planar: 1 | 2
  readonly width: number
  readonly height: number
  /** Bytes of the block: whole rows, fewer (a last strip) or a row cut short. */
  readonly keep: number
  readonly seed: number
}

const blockOf = (c: Case): ArrayBuffer => {
  const stride = c.planar === 2 ? 1 : c.samples
  const full = c.width * c.height * stride * (c.bits / 8)
  const bytes = new Uint8Array(Math.min(full, c.keep))
  let state = c.seed
  for (let i = 0; i < bytes.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
    bytes[i] = state >>> 16
  }
  return bytes.buffer
}

const parametersOf = (c: Case) => ({
  tileWidth: c.width,
  tileHeight: c.height,
  planarConfiguration: c.planar,
  bitsPerSample: Array.from({ length: c.samples }, () => c.bits),
  predictor: 2
})

const outcome = async (
  decode: () => Promise<ArrayBufferLike>
): Promise<{ readonly bytes?: Array<number>; readonly error?: boolean }> => {
  try {
    return { bytes: Array.from(new Uint8Array(await decode())) }
  } catch {
    return { error: true }
  }
}

const cases = fc.record({
  bits: fc.constantFrom<8 | 16 | 32>(8, 16, 32),
  samples: fc.integer({ min: 1, max: 4 }),
  planar: fc.constantFrom<1 | 2>(1, 2),
  width: fc.integer({ min: 1, max: 70 }),
  height: fc.integer({ min: 1, max: 12 }),
  keep: fc.oneof(fc.constant(1 << 30), fc.integer({ min: 0, max: 70 * 12 * 4 * 4 })),
  seed: fc.integer({ min: 1, max: 2 ** 30 })
})

describe("predictor 2", () => {
  it("undoes horizontal differencing exactly as geotiff.js does, or refuses where it refuses", async () => {
    let refused = 0
    let decoded = 0
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const raw = blockOf(c)
        const reference = await outcome(async () =>
          (await getDecoder(1, parametersOf(c) as never)).decode(raw.slice(0))
        )
        const ours = await outcome(async () =>
          undoPredictor2(raw.slice(0), c.width, c.height, parametersOf(c).bitsPerSample, c.planar)
        )
        // Through the bounded DEFLATE decoder as a tile is read (a short block is a short stream).
        const inflated = await outcome(async () =>
          (await getDecoder(8, parametersOf(c) as never)).decode(
            new Uint8Array(deflateSync(new Uint8Array(raw))).buffer
          )
        )
        assert.deepStrictEqual(ours, reference)
        assert.deepStrictEqual(inflated, reference)
        if (reference.error === true) refused++
        else decoded++
      }),
      { numRuns: 400 }
    )
    // Both outcomes are exercised: whole blocks and short strips decode, rows cut short are refused.
    assert.isAbove(decoded, 200)
    assert.isAbove(refused, 10)
  })

  it("decodes a DEFLATE block up to the rows a read needs: those rows of the whole block, no more", async () => {
    await fc.assert(
      fc.asyncProperty(
        cases.filter((c) => c.keep === 1 << 30 && c.height > 1),
        fc.integer({ min: 1, max: 11 }),
        async (c, want) => {
          const rows = Math.min(want, c.height - 1)
          const stride = c.planar === 2 ? 1 : c.samples
          const rowBytes = c.width * stride * (c.bits / 8)
          const compressed = () => new Uint8Array(deflateSync(new Uint8Array(blockOf(c)))).buffer
          const whole = new Uint8Array(
            await (await getDecoder(8, parametersOf(c) as never)).decode(compressed())
          )
          const prefix = new Uint8Array(
            await (await getDecoder(8, { ...parametersOf(c), rows } as never)).decode(compressed())
          )
          assert.strictEqual(prefix.byteLength, rows * rowBytes)
          assert.deepStrictEqual(Array.from(prefix), Array.from(whole.subarray(0, rows * rowBytes)))
        }
      ),
      { numRuns: 200 }
    )
  })

  it("decodes a chunky three-sample row as three running sums", () => {
    const row = Uint16Array.of(1, 10, 100, 1, 1, 1, 65535, 2, 3)
    const out = new Uint16Array(undoPredictor2(row.buffer, 3, 1, [16, 16, 16], 1))
    assert.deepStrictEqual(Array.from(out), [1, 10, 100, 2, 11, 101, 1, 13, 104])
  })

  it("refuses the sample sizes geotiff.js refuses, with its messages", () => {
    assert.throws(
      () => undoPredictor2(new ArrayBuffer(8), 2, 1, [12], 1),
      /only multiple of 8 bits/
    )
    assert.throws(
      () => undoPredictor2(new ArrayBuffer(8), 1, 1, [8, 16], 1),
      /all samples must have the same size/
    )
    assert.throws(
      () => undoPredictor2(new ArrayBuffer(16), 2, 1, [64], 1),
      /Predictor 2 not allowed with 64 bits/
    )
  })
})
