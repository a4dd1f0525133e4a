// Buffers of the source windows a resample reads (one per band), reused: the resample gives them back once it
// has interpolated from them, so a build's chips stop allocating a new ArrayBuffer per band and window.
import { Spares } from "./spareBuffers.ts"

// Idle buffers: at most 32 MiB. A buffer serves sizes from half its own up to it; a new one is rounded up to
// a power of two so that windows of neighbouring sizes share.
const spares = new Spares({
  maxCount: 256,
  maxBytes: 32 * 1024 * 1024,
  fits: (size, n) => size >= n && size <= 2 * n,
  sizeFor: (n) => Math.max(4096, 2 ** Math.ceil(Math.log2(n)))
})

// The buffers handed out and not given back: only they may come back (a window's arrays may be the caller's
// own, or geotiff.js's).
const out = new WeakSet<ArrayBufferLike>()

/** A buffer of at least `n` bytes, not zeroed (the reader writes every byte of the window). */
export const take = (n: number): ArrayBuffer => {
  const b = spares.take(n)
  out.add(b)
  return b
}

/**
 * Gives back the buffers of `arrays` taken here (others are left alone), once nothing reads or writes them
 * any more; each is given back once, however often it is named.
 */
export const giveBack = (arrays: ReadonlyArray<ArrayBufferView>): void => {
  for (const a of arrays) if (out.delete(a.buffer)) spares.give(a.buffer as ArrayBuffer)
}

/** Buffers handed out again (for tests and benchmarks). */
export const stats = {
  get reused(): number {
    return spares.reused
  }
}
