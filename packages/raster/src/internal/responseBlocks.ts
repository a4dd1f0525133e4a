// A response's bytes as the blocks of a source's block cache (byteSource.ts): views of the pieces it arrived
// in, copies only of the blocks straddling two.

// An array of `n` bytes over an ArrayBuffer of its own, not zeroed when large (the caller writes every
// byte); a small one (header reads) is cheaper zeroed than through Buffer's allocator.
export const uninitialised = (n: number): Uint8Array<ArrayBuffer> =>
  n < 16384
    ? new Uint8Array(n)
    : new Uint8Array(Buffer.allocUnsafeSlow(n).buffer as ArrayBuffer, 0, n)

/**
 * Cuts the bytes arriving as `pieces` into blocks of `bs` bytes (the last may be shorter), at most `count`:
 * a view of the piece holding a block, a copy only of a block that straddles two pieces. The response is
 * never copied whole.
 */
export const splitBlocks = (
  pieces: ReadonlyArray<Uint8Array>,
  bs: number,
  put: (index: number, block: Uint8Array) => void,
  count = Number.POSITIVE_INFINITY
): void => {
  const parts = pieces.filter((p) => p.byteLength > 0)
  const length = parts.reduce((n, p) => n + p.byteLength, 0)
  const blocks = Math.min(count, Math.ceil(length / bs))
  // The blocks straddling two pieces share one array (an ArrayBuffer costs more to make than to fill).
  let straddling = 0
  for (let i = 0, k = 0, kEnd = parts[0]?.byteLength ?? 0; i < blocks; i++) {
    while (kEnd <= i * bs) kEnd += parts[++k].byteLength
    if (Math.min((i + 1) * bs, length) > kEnd) straddling++
  }
  const seams = straddling > 0 ? uninitialised(straddling * bs) : undefined
  let seam = 0
  let k = 0
  let kStart = 0
  for (let i = 0; i < blocks; i++) {
    const from = i * bs
    const to = Math.min(from + bs, length)
    while (kStart + parts[k].byteLength <= from) kStart += parts[k++].byteLength
    if (to <= kStart + parts[k].byteLength) {
      put(i, parts[k].subarray(from - kStart, to - kStart))
      continue
    }
    const block = seams!.subarray(seam * bs, seam * bs + to - from)
    seam++
    for (let at = 0, j = k, jStart = kStart; at < block.length; jStart += parts[j++].byteLength) {
      const piece = parts[j].subarray(from + at - jStart, from + at - jStart + block.length - at)
      block.set(piece, at)
      at += piece.byteLength
    }
    put(i, block)
  }
}
