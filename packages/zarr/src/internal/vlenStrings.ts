// The `vlen-utf8` chunk encoding of Zarr v3 string arrays (the `band` and `samples/id` arrays).

/** Encode strings as one `vlen-utf8` chunk: uint32 count, then (uint32 byte length, UTF-8 bytes) each. */
export const encodeStrings = (values: ReadonlyArray<string>): Uint8Array => {
  const enc = new TextEncoder()
  const encoded = values.map((v) => enc.encode(v))
  let n = 4
  for (const e of encoded) n += 4 + e.length
  const out = new Uint8Array(n)
  const view = new DataView(out.buffer)
  view.setUint32(0, values.length, true)
  let o = 4
  for (const e of encoded) {
    view.setUint32(o, e.length, true)
    out.set(e, o + 4)
    o += 4 + e.length
  }
  return out
}

/** Decode one `vlen-utf8` chunk (the inverse of `encodeStrings`). */
export const decodeStrings = (bytes: Uint8Array): ReadonlyArray<string> => {
  const dec = new TextDecoder()
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n = view.getUint32(0, true)
  const out: Array<string> = []
  let o = 4
  for (let i = 0; i < n; i++) {
    const len = view.getUint32(o, true)
    out.push(dec.decode(bytes.subarray(o + 4, o + 4 + len)))
    o += 4 + len
  }
  return out
}
