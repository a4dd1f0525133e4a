// Partial inflate of DEFLATE blocks: the rows a read needs, byte-identical to a full inflate, with fewer bytes
// inflated, an error for truncated data, and the horizontal predictor undone as TIFF defines it.
import { assert, describe, it } from "@effect/vitest"
import { deflateSync } from "node:zlib"
import { BlockTooLarge, ShortBlock } from "../src/internal/nativeDeflate.ts"
import {
  idleHandles,
  inflateAtMost,
  inflateResumable,
  release,
  resumable,
  RowInflater
} from "../src/internal/nativeDeflate.ts"
import { undoHorizontalPredictor } from "../src/internal/horizontalPredictor.ts"
import { inflateRows } from "../src/internal/prefixInflate.ts"

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

describe("RowInflater.feedAsync", () => {
  const rows = 256
  const rowBytes = 1040
  const raw = block(rows, rowBytes)
  const compressed = deflateSync(raw)
  // Feeds `bytes` in chunks of `size` from where the inflater stands, asynchronously, until done.
  const run = async (bytes: Uint8Array, need: number, size: number, blockRows = rows) => {
    const inflater = new RowInflater(rowBytes, blockRows, need)
    for (;;) {
      const at = inflater.position
      const last = at + size >= bytes.byteLength
      const done = await inflater.feedAsync(bytes.subarray(at, at + size), last)
      if (done || last) break
    }
    return inflater.finish()
  }

  it("inflates exactly the rows asked for on node's thread pool, identical to the block, in any chunking", async () => {
    for (const need of [1, 17, 100, rows])
      for (const size of [333, 4096, compressed.byteLength]) {
        const out = await run(compressed, need, size)
        assert.strictEqual(out.rows, need)
        assert.strictEqual(out.buffer.byteLength, need * rowBytes)
        assert.deepStrictEqual(new Uint8Array(out.buffer), raw.subarray(0, need * rowBytes))
        assert.strictEqual(out.resume === undefined, need === rows)
        out.resume?.handle.close()
      }
  })

  it("keeps concurrent inflates apart: each gets its own block's rows", async () => {
    const others = [3, 5, 11].map((seed) => {
      const r = block(rows, rowBytes).map((v) => (v * seed) & 0xff)
      return { raw: r, compressed: deflateSync(r) }
    })
    const outs = await Promise.all(others.map((o) => run(o.compressed, 200, 5000)))
    outs.forEach((out, i) => {
      assert.deepStrictEqual(new Uint8Array(out.buffer), others[i].raw.subarray(0, 200 * rowBytes))
      out.resume?.handle.close()
    })
  })

  it("fails on a block cut short, one inflating past its declared size, and corrupt data", async () => {
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e
      )
    const cut = compressed.subarray(0, compressed.length >> 1)
    assert.instanceOf(await failure(run(cut, rows, 4096)), ShortBlock)
    // The same bytes declared as a block of half the rows: they inflate past its size.
    assert.instanceOf(await failure(run(compressed, rows / 2, 4096, rows / 2)), BlockTooLarge)
    const bad = Uint8Array.from(compressed)
    bad.fill(0xff, 2, 64)
    const corrupt = await failure(run(bad, rows, 4096))
    assert.instanceOf(corrupt, ShortBlock)
    assert.include(String(corrupt), "invalid")
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

describe("inflate handles at rest", () => {
  const rows = 64
  const rowBytes = 1040
  const blocks = [1, 2, 3, 4].map((seed) => {
    const raw = block(rows, rowBytes).map((v) => (v * (2 * seed + 1)) & 0xff)
    return { raw, compressed: deflateSync(raw) }
  })
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e
    )
  // One block's first `need` rows through feedAsync in chunks of 3000 bytes; a stopped stream is given back
  // as the HTTP reads do.
  const inflate = async (compressed: Uint8Array, need: number, blockRows = rows) => {
    const inflater = new RowInflater(rowBytes, blockRows, need)
    for (;;) {
      const at = inflater.position
      const last = at + 3000 >= compressed.byteLength
      const done = await inflater.feedAsync(compressed.subarray(at, at + 3000), last)
      if (done || last) break
    }
    const out = inflater.finish()
    if (out.resume !== undefined) release(out.resume)
    return out
  }

  it("inflates many blocks one after another through one reused handle, each identical to its block", async () => {
    const before = idleHandles()
    for (let i = 0; i < 200; i++) {
      const { raw, compressed } = blocks[i % blocks.length]
      const need = i % 3 === 0 ? 17 : rows
      const out = await inflate(compressed, need)
      assert.deepStrictEqual(new Uint8Array(out.buffer), raw.subarray(0, need * rowBytes))
      assert.strictEqual(idleHandles(), Math.max(before, 1))
    }
  })

  it("starts a block from its own start on a handle given back mid-stream (after a short read)", async () => {
    await inflate(blocks[0].compressed, 5)
    assert.isAtLeast(idleHandles(), 1)
    const out = await inflate(blocks[1].compressed, rows)
    assert.deepStrictEqual(new Uint8Array(out.buffer), blocks[1].raw)
    // And the synchronous path shares the handles.
    assert.deepStrictEqual(inflateAtMost(blocks[2].compressed, rows * rowBytes), blocks[2].raw)
  })

  it("closes a handle whose block failed instead of keeping it, and the next block inflates right", async () => {
    await inflate(blocks[0].compressed, rows)
    const atRest = idleHandles()
    const bad = Uint8Array.from(blocks[0].compressed)
    bad.fill(0xff, 2, 64)
    assert.instanceOf(await failure(inflate(bad, rows)), ShortBlock)
    assert.strictEqual(idleHandles(), atRest - 1)
    const cut = blocks[1].compressed.subarray(0, blocks[1].compressed.length >> 1)
    assert.instanceOf(await failure(inflate(cut, rows)), ShortBlock)
    assert.instanceOf(
      await failure(inflate(blocks[2].compressed, rows / 2, rows / 2)),
      BlockTooLarge
    )
    assert.throws(() => inflateAtMost(bad, rows * rowBytes), ShortBlock)
    for (const { raw, compressed } of blocks) {
      const out = await inflate(compressed, rows)
      assert.deepStrictEqual(new Uint8Array(out.buffer), raw)
    }
  })

  it("closes the handle of an inflate given up before it finished (its bytes failed), once", async () => {
    const atRest = idleHandles()
    const inflater = new RowInflater(rowBytes, rows, rows)
    // The handle came from those at rest (or is new); count its closes.
    const handle = (inflater as unknown as { stream: { handle: { close: () => void } } }).stream
      .handle
    let closes = 0
    const close = handle.close.bind(handle)
    handle.close = () => {
      closes++
      close()
    }
    await inflater.feedAsync(blocks[0].compressed.subarray(0, 3000), false)
    inflater.abandon()
    inflater.abandon()
    assert.strictEqual(closes, 1)
    // Not kept: the handles at rest are one fewer (or as many, when it was new).
    assert.strictEqual(idleHandles(), Math.max(0, atRest - 1))
    assert.throws(() => inflater.finish(), ShortBlock)
    assert.strictEqual(closes, 1)
    const out = await inflate(blocks[1].compressed, rows)
    assert.deepStrictEqual(new Uint8Array(out.buffer), blocks[1].raw)
  })

  it("keeps concurrent inflates on separate handles, each given back once its write settled", async () => {
    const outs = await Promise.all(
      Array.from({ length: 12 }, (_, i) => inflate(blocks[i % 4].compressed, rows))
    )
    outs.forEach((out, i) => assert.deepStrictEqual(new Uint8Array(out.buffer), blocks[i % 4].raw))
    assert.isAtLeast(idleHandles(), 2)
    assert.isAtMost(idleHandles(), 32)
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
