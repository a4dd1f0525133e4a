// Buffers of inflated tiles, reused: a tile leaving the tile cache gives its buffer back, and the next tile
// inflated takes it instead of a new ArrayBuffer, so a build's steady stream of tiles stops feeding the GC.

// Idle buffers kept: at most this many bytes in all. A buffer serves sizes from 2/3 of its own up to it.
const maxSpareBytes = 64 * 1024 * 1024
const spares: Array<ArrayBuffer> = []
let spareBytes = 0
// Buffers given back in this turn of the event loop: a reader handed the tile's promise before it left the
// cache copies from it in a reaction that runs before the next turn, so they become spares only then.
let pending: Array<ArrayBuffer> = []

/** Buffers handed out again (for tests and benchmarks). */
export const stats = { reused: 0 }

const settle = () => {
  const given = pending
  pending = []
  for (const b of given) {
    if (spareBytes + b.byteLength > maxSpareBytes) continue
    spares.push(b)
    spareBytes += b.byteLength
  }
}

/**
 * A buffer of at least `n` bytes, not zeroed (the caller writes every byte it reads back): a spare of at most
 * 1.5 n bytes when there is one, else a new one of exactly n.
 */
export const take = (n: number): ArrayBuffer => {
  let best = -1
  for (let i = 0; i < spares.length; i++) {
    const size = spares[i].byteLength
    if (size >= n && size <= n * 1.5 && (best < 0 || size < spares[best].byteLength)) best = i
  }
  if (best < 0) return Buffer.allocUnsafeSlow(n).buffer as ArrayBuffer
  const b = spares[best]
  spares[best] = spares[spares.length - 1]
  spares.pop()
  spareBytes -= b.byteLength
  stats.reused++
  return b
}

/**
 * Gives `b` back once nothing reads it any more: it is handed out again from the next turn of the event loop
 * on, never in this one.
 */
export const give = (b: ArrayBuffer): void => {
  if (b.byteLength === 0 || b.byteLength > maxSpareBytes) return
  if (pending.length === 0) setImmediate(settle).unref()
  pending.push(b)
}
