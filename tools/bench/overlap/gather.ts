// The bulk filter's gather of 64-byte corner records into cube order, alone: a random permutation of 1M and
// 5M records (in 1 MiB blocks on SharedArrayBuffers, as packages/overlap's bulk filter keeps them), copied
// straight away ("plain"), in batches of 32 whose first loads are issued together before the copies
// ("batched", what the filter does), or scattered in source order through the inverse permutation
// ("scatter"). Main-thread CPU µs per record, second of two runs of each.
// Usage: npx node tools/bench/overlap/gather.ts. Last line: one JSON object.
import { loadavg } from "node:os"

const BLOCK = 1 << 14
const SHIFT = 14
const BATCH = 32
const f64 = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n))
const cpu = () => {
  const u = process.threadCpuUsage()
  return u.user + u.system
}

const copy = (from: Float64Array, o: number, to: Float64Array, p: number) => {
  for (let q = 0; q < 8; q++) to[p + q] = from[o + q]
}

const variants = (n: number, blocks: Array<Float64Array>, order: Int32Array) => ({
  plain: () => {
    const out: Array<Float64Array> = []
    for (let k = 0; k < n; k++) {
      if ((k & (BLOCK - 1)) === 0) out.push(f64(BLOCK * 8))
      const i = order[k]
      copy(blocks[i >>> SHIFT], (i & (BLOCK - 1)) * 8, out[k >>> SHIFT], (k & (BLOCK - 1)) * 8)
    }
    return out[0][8]
  },
  batched: () => {
    const out: Array<Float64Array> = []
    let sum = 0
    for (let k0 = 0; k0 < n; k0 += BATCH) {
      const k1 = Math.min(n, k0 + BATCH)
      for (let k = k0; k < k1; k++) sum += blocks[order[k] >>> SHIFT][(order[k] & (BLOCK - 1)) * 8]
      for (let k = k0; k < k1; k++) {
        if ((k & (BLOCK - 1)) === 0) out.push(f64(BLOCK * 8))
        const i = order[k]
        copy(blocks[i >>> SHIFT], (i & (BLOCK - 1)) * 8, out[k >>> SHIFT], (k & (BLOCK - 1)) * 8)
      }
    }
    return sum + out[0][8]
  },
  scatter: () => {
    const rank = new Int32Array(new SharedArrayBuffer(4 * n))
    for (let k = 0; k < n; k++) rank[order[k]] = k
    const out: Array<Float64Array> = []
    for (let k = 0; k < n; k += BLOCK) out.push(f64(BLOCK * 8))
    for (let i = 0; i < n; i++) {
      const k = rank[i]
      copy(blocks[i >>> SHIFT], (i & (BLOCK - 1)) * 8, out[k >>> SHIFT], (k & (BLOCK - 1)) * 8)
    }
    return out[0][8]
  }
})

const result: Record<string, number> = {}
for (const n of [1_000_000, 5_000_000]) {
  const blocks: Array<Float64Array> = []
  for (let i = 0; i < n; i += BLOCK) blocks.push(f64(BLOCK * 8).map((_, j) => j))
  const order = new Int32Array(n).map((_, i) => i)
  let seed = 1
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0
    const j = (seed >>> 1) % (i + 1)
    const t = order[i]
    order[i] = order[j]
    order[j] = t
  }
  for (const [name, f] of Object.entries(variants(n, blocks, order))) {
    f()
    const t = cpu()
    f()
    result[`${name}${n / 1e6}M`] = Number(((cpu() - t) / n).toFixed(3))
    console.log(`${n} ${name}: ${result[`${name}${n / 1e6}M`]} µs per record`)
  }
}
console.log(JSON.stringify({ ...result, loadAverage: loadavg() }))
