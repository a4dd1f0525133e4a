// CRC-32C (Castagnoli), the checksum of the Zarr v3 `crc32c` codec that guards every shard index.
// Table-driven slicing-by-8 over the reflected polynomial 0x82F63B78 (iSCSI, RFC 3720).

const POLY = 0x82f63b78

const tables: ReadonlyArray<Uint32Array> = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256))
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1
    t[0][n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0][n]
    for (let k = 1; k < 8; k++) {
      c = t[0][c & 0xff] ^ (c >>> 8)
      t[k][n] = c >>> 0
    }
  }
  return t
})()

/** Continue a CRC-32C over `bytes`; start from 0 for a fresh checksum. Returns an unsigned 32-bit value. */
export const update = (crc: number, bytes: Uint8Array): number => {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables
  let c = ~crc >>> 0
  let i = 0
  const n = bytes.length
  const end8 = n - (n % 8)
  for (; i < end8; i += 8) {
    const lo =
      (c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))) >>> 0
    c =
      t7[lo & 0xff] ^
      t6[(lo >>> 8) & 0xff] ^
      t5[(lo >>> 16) & 0xff] ^
      t4[lo >>> 24] ^
      t3[bytes[i + 4]] ^
      t2[bytes[i + 5]] ^
      t1[bytes[i + 6]] ^
      t0[bytes[i + 7]]
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)
  return ~c >>> 0
}

/** The CRC-32C of `bytes` as an unsigned 32-bit value ("123456789" → 0xE3069283). */
export const compute = (bytes: Uint8Array): number => update(0, bytes)
