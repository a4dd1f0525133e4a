// Partial inflate of DEFLATE blocks: the rows a read needs, byte-identical to a full inflate, with fewer bytes
// inflated, an error for truncated data, and the horizontal predictor undone as TIFF defines it.
import { assert, describe, it } from "@effect/vitest"
import { deflateSync } from "node:zlib"
import { BlockTooLarge, ShortBlock } from "../src/internal/nativeDeflate.ts"
import {
  inflateResumable,
  inflateRows,
  inflateRowsAsync,
  resumable,
  RowInflater,
  undoHorizontalPredictor
} from "../src/internal/nativeDeflate.ts"

// Seeded pseudo-random rows with some structure, so DEFLATE compresses them unevenly.
const block = (rows: number, rowBytes: number) => {
  const raw = new Uint8Array(rows * rowBytes)
  let s = 7
  for (let i = 0; i < raw.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    raw[i] = (i % 97) + (Math.floor(i / rowBytes) % 3 === 0 ? s >>> 28 : s >>> 24)
  }
  return raw
}

describe("inflateRows", () => {
  const rows = 256
  const rowBytes = 1040
  const raw = block(rows, rowBytes)
  const compressed = deflateSync(raw)

  it("returns at least the rows asked for, identical to the block's first rows, and not the whole block", () => {
    for (const need of [1, 17, 100, 200]) {
      const out = inflateRows(compressed, rowBytes, rows, need)
      assert.isAtLeast(out.rows, need)
      assert.isBelow(out.rows, rows)
      const got = new Uint8Array(out.buffer, 0, out.rows * rowBytes)
      assert.deepStrictEqual(got, raw.subarray(0, out.rows * rowBytes))
    }
  })

  it("returns the whole block when every row is needed", () => {
    const out = inflateRows(compressed, rowBytes, rows, rows)
    assert.strictEqual(out.rows, rows)
    assert.deepStrictEqual(new Uint8Array(out.buffer, 0, raw.length), raw)
  })

  it("fails on a block cut short before its last row", () => {
    const cut = compressed.subarray(0, compressed.length >> 1)
    assert.throws(() => inflateRows(cut, rowBytes, rows, rows))
  })

  it("fails on a block inflating past its declared size, even by one byte", () => {
    assert.throws(() => inflateRows(compressed, rowBytes, rows / 2, rows / 2), BlockTooLarge)
    const oneMore = deflateSync(raw.subarray(0, (rows / 2) * rowBytes + 1))
    assert.throws(() => inflateRows(oneMore, rowBytes, rows / 2, rows / 2), BlockTooLarge)
    const exact = deflateSync(raw.subarray(0, (rows / 2) * rowBytes))
    assert.strictEqual(inflateRows(exact, rowBytes, rows / 2, rows / 2).rows, rows / 2)
  })
})

describe("inflateRowsAsync", () => {
  const rows = 256
  const rowBytes = 1040
  const raw = block(rows, rowBytes)
  const compressed = deflateSync(raw)
  // The block's prefixes as a byte source gives them, and the lengths asked for.
  const reader = (bytes: Uint8Array) => {
    const asked: Array<number> = []
    const read = async (take: number) => {
      asked.push(take)
      return bytes.subarray(0, take)
    }
    return { asked, read }
  }

  it("gives the rows inflateRows gives, reading only a prefix of the block when fewer rows are needed", async () => {
    for (const need of [1, 17, 100, 200, rows]) {
      const { asked, read } = reader(compressed)
      const out = await inflateRowsAsync(read, compressed.byteLength, rowBytes, rows, need)
      const sync = inflateRows(compressed, rowBytes, rows, need)
      assert.isAtLeast(out.rows, need)
      assert.deepStrictEqual(
        new Uint8Array(out.buffer, 0, out.rows * rowBytes),
        raw.subarray(0, out.rows * rowBytes)
      )
      assert.strictEqual(out.rows, sync.rows)
      if (need < rows / 2) assert.isBelow(Math.max(...asked), compressed.byteLength)
    }
  })

  it("fails on a block cut short, and on one inflating past its declared size", async () => {
    const cut = compressed.subarray(0, compressed.length >> 1)
    const short = await inflateRowsAsync(
      reader(cut).read,
      cut.byteLength,
      rowBytes,
      rows,
      rows
    ).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(short, Error)
    // The same bytes declared as a block of half the rows: they inflate past its size.
    const bomb = await inflateRowsAsync(
      reader(compressed).read,
      compressed.byteLength,
      rowBytes,
      rows / 2,
      rows / 2
    ).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(bomb, BlockTooLarge)
    // A source that gives fewer bytes than asked for.
    const { read } = reader(cut)
    const cutShort = await inflateRowsAsync(read, compressed.byteLength, rowBytes, rows, rows).then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(cutShort, ShortBlock)
  })
})

describe("inflateResumable", () => {
  const rows = 256
  const rowBytes = 1040
  const raw = block(rows, rowBytes)
  const compressed = deflateSync(raw)

  it("is available on this Node", () => {
    assert.isTrue(resumable)
  })

  it("returns exactly the rows asked for and continues from where it stopped, identical to the block", () => {
    const first = inflateResumable(compressed, rowBytes, rows, 40)
    assert.strictEqual(first.rows, 40)
    assert.strictEqual(first.buffer.byteLength, 40 * rowBytes)
    assert.deepStrictEqual(new Uint8Array(first.buffer), raw.subarray(0, 40 * rowBytes))
    const resume = first.resume
    assert.isDefined(resume)
    if (resume === undefined) return
    assert.isBelow(resume.consumed, compressed.length)
    const second = inflateResumable(compressed.subarray(resume.consumed), rowBytes, rows, 170, {
      ...first,
      resume
    })
    assert.strictEqual(second.rows, 170)
    assert.deepStrictEqual(new Uint8Array(second.buffer), raw.subarray(0, 170 * rowBytes))
    const next = second.resume
    assert.isDefined(next)
    if (next === undefined) return
    const last = inflateResumable(compressed.subarray(next.consumed), rowBytes, rows, rows, {
      ...second,
      resume: next
    })
    assert.strictEqual(last.rows, rows)
    assert.isUndefined(last.resume)
    assert.deepStrictEqual(new Uint8Array(last.buffer), raw)
  })

  it("inflates chunks fed in order until the rows are done, and a second inflater continues from its position", () => {
    const feedAll = (inflater: RowInflater, size: number) => {
      let chunks = 0
      for (;;) {
        const at = inflater.position
        const end = Math.min(compressed.length, at + size)
        chunks++
        if (inflater.feed(compressed.subarray(at, end), end === compressed.length)) break
        if (end === compressed.length) break
      }
      return chunks
    }
    const first = new RowInflater(rowBytes, rows, 90)
    assert.isAbove(feedAll(first, 997), 1)
    const partial = first.finish()
    assert.deepStrictEqual(new Uint8Array(partial.buffer), raw.subarray(0, 90 * rowBytes))
    assert.isDefined(partial.resume)
    if (partial.resume === undefined) return
    const rest = new RowInflater(rowBytes, rows, rows, { ...partial, resume: partial.resume })
    assert.strictEqual(rest.position, partial.resume.consumed)
    feedAll(rest, 4093)
    const whole = rest.finish()
    assert.isUndefined(whole.resume)
    assert.deepStrictEqual(new Uint8Array(whole.buffer), raw)
  })

  it("fails on a block cut short before the rows asked for, partial or whole", () => {
    const cut = compressed.subarray(0, compressed.length >> 1)
    assert.throws(() => inflateResumable(cut, rowBytes, rows, rows))
    assert.throws(() => inflateResumable(cut, rowBytes, rows, rows - 1))
  })

  it("fails on corrupt data", () => {
    const bad = Uint8Array.from(compressed)
    bad.fill(0xff, 2, 64)
    assert.throws(() => inflateResumable(bad, rowBytes, rows, rows))
  })
})

describe("undoHorizontalPredictor", () => {
  it("restores pixel-interleaved uint16 rows differenced per sample, wrapping modulo 2^16", () => {
    const width = 9
    const stride = 3
    const rowsN = 4
    const original = new Uint16Array(width * stride * rowsN)
    for (let i = 0; i < original.length; i++) original[i] = (i * 40503) & 0xffff
    const differenced = new Uint16Array(original.length)
    for (let r = 0; r < rowsN; r++)
      for (let i = 0; i < width * stride; i++) {
        const k = r * width * stride + i
        differenced[k] = i < stride ? original[k] : original[k] - original[k - stride]
      }
    undoHorizontalPredictor(differenced, width * stride, rowsN, stride)
    assert.deepStrictEqual(differenced, original)
  })
})
