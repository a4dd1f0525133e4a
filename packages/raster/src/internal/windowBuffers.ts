// Buffers reused between reads: the source windows a resample reads (given back once it has interpolated from
// them) and the arrays of the chips it returns (given back by the caller, RasterSource.recycle), so a build's
// chips stop allocating new ArrayBuffers per band, window and chip.
import { Spares } from "./spareBuffers.ts"

/** Buffers lent out and given back: only buffers lent by this lender come back, each once. */
export class Lender {
  private readonly spares: Spares
  // The buffers lent and not given back (a window's or chip's arrays may be the caller's, or geotiff.js's).
  private readonly out = new WeakSet<ArrayBufferLike>()

  constructor(maxBytes: number) {
    // A buffer serves only its own size: the arrays lent are whole buffers, so a caller's
    // `new Uint16Array(chip.data.buffer)` sees exactly the chip (every byte written by the read), never a
    // slack holding an earlier chip's pixels or uninitialised memory. A build's chips of one product share a
    // size, and so do most of its windows.
    this.spares = new Spares({
      maxCount: 256,
      maxBytes,
      fits: (size, n) => size === n,
      sizeFor: (n) => n
    })
  }

  /** A buffer of exactly `n` bytes, not zeroed. */
  take(n: number): ArrayBuffer {
    const b = this.spares.take(n)
    this.out.add(b)
    return b
  }

  /**
   * Gives back the buffers of `arrays` lent here (others are left alone) once nothing reads or writes them
   * any more; each is given back once, however often it is named.
   */
  giveBack(arrays: ReadonlyArray<ArrayBufferView | undefined>): void {
    for (const a of arrays)
      if (a !== undefined && this.out.delete(a.buffer)) this.spares.give(a.buffer as ArrayBuffer)
  }

  /** Buffers lent again (for tests and benchmarks). */
  get reused(): number {
    return this.spares.reused
  }
}

/** The source windows of resamples (one array per band). */
export const windows = new Lender(32 * 1024 * 1024)

/** The data and mask arrays of resampled chips. */
export const chips = new Lender(32 * 1024 * 1024)
