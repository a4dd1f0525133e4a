// Idle ArrayBuffers kept for reuse, bounded in count and bytes: the decoder pool's buffers of compressed
// blocks and the buffers of inflated tiles (tileBuffers.ts) are both handed out again from one of these.

/** What a set of spares keeps, and which spare serves a request. */
export interface Policy {
  /** Spares kept at most (the oldest go first). */
  readonly maxCount: number
  /** Bytes of all spares at most (the oldest go first); a larger buffer is never kept. */
  readonly maxBytes: number
  /** Whether a spare of `size` bytes may serve a request of `n`. */
  readonly fits: (size: number, n: number) => boolean
  /** The size of a new buffer for a request of `n` bytes when no spare fits. */
  readonly sizeFor: (n: number) => number
}

/** Idle buffers: `take` one (a spare that fits, else a new one, not zeroed), `give` it back when done. */
export class Spares {
  private readonly buffers: Array<ArrayBuffer> = []
  private bytes = 0
  private readonly policy: Policy
  /** Requests served by a spare. */
  reused = 0

  constructor(policy: Policy) {
    this.policy = policy
  }

  /** A buffer of at least `n` bytes, not zeroed: the most recently given spare that fits, else a new one. */
  take(n: number): ArrayBuffer {
    for (let i = this.buffers.length - 1; i >= 0; i--) {
      const b = this.buffers[i]
      if (this.policy.fits(b.byteLength, n)) {
        this.buffers.splice(i, 1)
        this.bytes -= b.byteLength
        this.reused++
        return b
      }
    }
    return Buffer.allocUnsafeSlow(this.policy.sizeFor(n)).buffer as ArrayBuffer
  }

  /** Keeps `b` for a later `take` (nothing may read or write it any more). */
  give(b: ArrayBuffer): void {
    if (b.byteLength === 0 || b.byteLength > this.policy.maxBytes) return
    this.buffers.push(b)
    this.bytes += b.byteLength
    while (this.buffers.length > this.policy.maxCount || this.bytes > this.policy.maxBytes)
      this.bytes -= this.buffers.shift()!.byteLength
  }

  get count(): number {
    return this.buffers.length
  }
}
