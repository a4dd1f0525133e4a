// Buffers of inflated tiles, reused: a tile leaving the tile cache gives its buffer back, and the next tile
// inflated takes it instead of a new ArrayBuffer, so a build's steady stream of tiles stops feeding the GC.
import { Spares } from "./spareBuffers.ts"

// Idle buffers kept: at most 64 MiB in all. A buffer serves sizes from 2/3 of its own up to it; a new one is
// of exactly the size asked for.
const spares = new Spares({
  maxCount: Number.POSITIVE_INFINITY,
  maxBytes: 64 * 1024 * 1024,
  fits: (size, n) => size >= n && size <= n * 1.5,
  sizeFor: (n) => n
})
// Buffers given back in this turn of the event loop: a reader handed the tile's promise before it left the
// cache copies from it in a reaction that runs before the next turn, so they become spares only then.
let pending: Array<ArrayBuffer> = []

/** Buffers handed out again (for tests and benchmarks). */
export const stats = {
  get reused(): number {
    return spares.reused
  }
}

const settle = () => {
  const given = pending
  pending = []
  for (const b of given) spares.give(b)
}

/** A buffer of at least `n` bytes, not zeroed (the caller writes every byte it reads back). */
export const take = (n: number): ArrayBuffer => spares.take(n)

/**
 * Gives `b` back once nothing reads it any more: it is handed out again from the next turn of the event loop
 * on, never in this one.
 */
export const give = (b: ArrayBuffer): void => {
  if (b.byteLength === 0) return
  if (pending.length === 0) setImmediate(settle).unref()
  pending.push(b)
}
