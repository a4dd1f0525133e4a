// A stable 32-bit string hash (FNV-1a over UTF-16 code units, then a murmur3 finaliser).
// Split assignments depend on it, so it must never change between versions.

/** A 32-bit unsigned hash of `salt` and `text`. */
export const hash32 = (salt: string, text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 0x01000193)
  h = Math.imul(h ^ 0x1f, 0x01000193)
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A uniform draw in [0, 1) from `salt` and `text`. */
export const unit = (salt: string, text: string): number => hash32(salt, text) / 4294967296
