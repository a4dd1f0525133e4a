// DEFLATE tiles decoded with Node's native zlib instead of geotiff.js's JavaScript inflate.
// Registered once for compression codes 8 and 32946; worker-pool decoding keeps geotiff.js's own decoders.
import { addDecoder, BaseDecoder } from "geotiff"
import { inflateSync } from "node:zlib"

class NativeDeflateDecoder extends BaseDecoder {
  override decodeBlock(buffer: ArrayBufferLike): ArrayBufferLike {
    const p = this.parameters
    const bits = p.bitsPerSample
    const perSample = typeof bits === "number" ? [bits] : Array.from(bits)
    const bitsPerPixel =
      p.planarConfiguration === 2 ? perSample[0] : perSample.reduce((a, b) => a + b, 0)
    // One output chunk of exactly the tile's size avoids zlib's per-16-KiB chunk loop, the final concat and
    // a copy of the result (zlib returns the chunk's own ArrayBuffer when the output fills it).
    const expected = Math.ceil((p.tileWidth * p.tileHeight * bitsPerPixel) / 8)
    const out = inflateSync(new Uint8Array(buffer), {
      chunkSize: Math.max(64, Math.min(expected, 256 * 1024 * 1024))
    })
    return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength
      ? out.buffer
      : out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength)
  }
}

let registered = false

/** Makes geotiff.js decode DEFLATE on the calling thread with node:zlib (idempotent). */
export const register = (): void => {
  if (registered) return
  registered = true
  addDecoder([8, 32946], async () => NativeDeflateDecoder as never)
}
