// Finding a dataset's chunks for a window: the version 1 B-tree (File Format Specification v3 §III.A.1, node
// type 1) walked through only the nodes the window needs, each read once; single-chunk and implicit layouts
// computed; fixed-array, extensible-array and version 2 B-tree indexes (layout version 4) read whole, once.
import { HeaderProblem } from "../header.ts"
import { readBtree2Chunks, readExtensibleArray } from "./chunkIndexes.ts"
import { corrupt, readAt, undefinedAddress, type Reader } from "./cursor.ts"
import type { Dataset } from "./dataset.ts"
import { readFixedArray, type ChunkRef } from "./fixedArray.ts"

interface Node {
  readonly level: number
  readonly keys: ReadonlyArray<ReadonlyArray<number>>
  readonly sizes: ReadonlyArray<number>
  readonly masks: ReadonlyArray<number>
  readonly children: ReadonlyArray<number>
}

const lexLess = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i]
  return false
}

/** Where a dataset's chunks are, read lazily by window; B-tree nodes read once each. */
export class ChunkIndex {
  private readonly nodes = new Map<number, Promise<Node>>()
  private fixed: Promise<ReadonlyArray<ChunkRef | undefined>> | undefined
  private btree2: Promise<Map<string, ChunkRef>> | undefined
  private readonly reader: Reader
  private readonly set: Dataset

  constructor(reader: Reader, dataset: Dataset) {
    this.reader = reader
    this.set = dataset
  }

  private node(address: number): Promise<Node> {
    let p = this.nodes.get(address)
    if (p === undefined) {
      p = this.readNode(address)
      this.nodes.set(address, p)
    }
    return p
  }

  private async readNode(address: number): Promise<Node> {
    const r = this.reader
    const rank = this.set.dims.length - (this.set.synthetic ?? 0)
    const head = await readAt(r, address, 8 + 2 * r.offsetSize, "chunk B-tree")
    head.signature("TREE", "chunk B-tree")
    if (head.u8() !== 1) throw corrupt("chunk B-tree")
    const level = head.u8()
    const used = head.u16()
    const keySize = 8 + 8 * (rank + 1)
    const c = await readAt(
      r,
      address + 8 + 2 * r.offsetSize,
      (used + 1) * keySize + used * r.offsetSize,
      "chunk B-tree"
    )
    const keys: Array<Array<number>> = []
    const sizes: Array<number> = []
    const masks: Array<number> = []
    const children: Array<number> = []
    for (let i = 0; i <= used; i++) {
      sizes.push(c.u32())
      masks.push(c.u32())
      keys.push(Array.from({ length: rank + 1 }, () => c.uint(8)).slice(0, rank))
      if (i < used) children.push(c.offset())
    }
    return { level, keys, sizes, masks, children }
  }

  /** The stored chunks whose offsets lie in the box [lo, hi] (element offsets, chunk-aligned). */
  async find(lo: ReadonlyArray<number>, hi: ReadonlyArray<number>): Promise<Map<string, ChunkRef>> {
    const out = new Map<string, ChunkRef>()
    const { layout } = this.set
    if (layout.kind !== "chunked") return out
    if (layout.address === undefinedAddress) return out
    if (layout.index === "single") {
      const size = layout.single?.size ?? this.chunkBytes()
      out.set(lo.map(() => 0).join(","), {
        address: layout.address,
        size,
        mask: layout.single?.mask ?? 0
      })
      return out
    }
    if (layout.index === "implicit") {
      // Chunks stored in order, unfiltered, each full size.
      const grid = this.set.dims.map((d, i) => Math.ceil(d / layout.chunk[i]))
      const each = this.chunkBytes()
      const walk = (d: number, offsets: Array<number>, linear: number) => {
        if (d === grid.length) {
          out.set(offsets.join(","), {
            address: layout.address + linear * each,
            size: each,
            mask: 0
          })
          return
        }
        for (let o = lo[d]; o <= hi[d]; o += layout.chunk[d])
          walk(d + 1, [...offsets, o], linear * grid[d] + o / layout.chunk[d])
      }
      walk(0, [], 0)
      return out
    }
    if (layout.index === "btree2") {
      this.btree2 ??= readBtree2Chunks(this.reader, layout.address, layout.chunk, this.chunkBytes())
      const chunks = await this.btree2
      const grid = this.set.dims.map((d, i) => Math.ceil(d / layout.chunk[i]))
      const walk = (d: number, offsets: Array<number>) => {
        if (d === grid.length) {
          const key = offsets.join(",")
          const ref = chunks.get(key)
          if (ref !== undefined) out.set(key, ref)
          return
        }
        for (let o = lo[d]; o <= hi[d]; o += layout.chunk[d]) walk(d + 1, [...offsets, o])
      }
      walk(0, [])
      return out
    }
    if (layout.index === "fixed" || layout.index === "extensible") {
      // Both list chunks by linear index, row-major over the chunk grid; an extensible array's unlimited
      // dimension is moved first (HDF5's "swizzle": netCDF-4's record dimension already is).
      this.fixed ??=
        layout.index === "fixed"
          ? readFixedArray(this.reader, layout.address, this.chunkBytes())
          : readExtensibleArray(this.reader, layout.address, this.chunkBytes())
      const entries = await this.fixed
      const grid = this.set.dims.map((d, i) => Math.ceil(d / layout.chunk[i]))
      const u = layout.index === "extensible" ? (this.set.unlimited ?? 0) : 0
      const order = [u, ...grid.keys()].filter((d, i, all) => all.indexOf(d) === i)
      const walk = (d: number, offsets: Array<number>) => {
        if (d === grid.length) {
          const linear = order.reduce((l, k) => l * grid[k] + offsets[k] / layout.chunk[k], 0)
          const ref = entries[linear]
          if (ref !== undefined) out.set(offsets.join(","), ref)
          return
        }
        for (let o = lo[d]; o <= hi[d]; o += layout.chunk[d]) walk(d + 1, [...offsets, o])
      }
      walk(0, [])
      return out
    }
    if (layout.index !== "btree1")
      throw new HeaderProblem(
        "UnsupportedCodec",
        `its variable ${this.set.path} uses an unknown chunk index (${layout.index}); rewrite it with h5repack -l ${this.set.path}:CHUNK=… or nccopy -k nc4`
      )
    const extra = this.set.synthetic ?? 0
    const prefix = lo.slice(0, extra)
    lo = lo.slice(extra)
    hi = hi.slice(extra)
    const inBox = (key: ReadonlyArray<number>) => key.every((k, d) => k >= lo[d] && k <= hi[d])
    const visit = async (address: number, depth: number): Promise<void> => {
      if (depth > 64) throw corrupt("chunk B-tree depth")
      const n = await this.node(address)
      const jobs: Array<Promise<void>> = []
      for (let i = 0; i < n.children.length; i++) {
        // Child i holds the chunks from key i up to (not including) key i + 1, in row-major order.
        if (lexLess(hi, n.keys[i])) continue
        if (!lexLess(lo, n.keys[i + 1]) && n.level > 0) continue
        if (n.level > 0) jobs.push(visit(n.children[i], depth + 1))
        else if (inBox(n.keys[i]))
          out.set([...prefix, ...n.keys[i]].join(","), {
            address: n.children[i],
            size: n.sizes[i],
            mask: n.masks[i]
          })
      }
      await Promise.all(jobs)
    }
    await visit(layout.address, 0)
    return out
  }

  chunkBytes(): number {
    const layout = this.set.layout
    return layout.kind === "chunked" ? layout.chunk.reduce((a, b) => a * b, this.set.type.size) : 0
  }
}

/** Undoes HDF5's byte shuffle (filter 2) of `elementSize`-byte elements. */
