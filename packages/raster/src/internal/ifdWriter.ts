// Writing TIFF image file directories: tags sorted by code, values of more than four bytes out of line after
// the directory (each padded to an even offset), little-endian.

export const SHORT = 3
export const LONG = 4
export const ASCII = 2
export const DOUBLE = 12

export interface Tag {
  readonly code: number
  readonly type: number
  readonly values: ReadonlyArray<number> | string
}

const typeSize = (type: number): number =>
  type === SHORT ? 2 : type === DOUBLE ? 8 : type === LONG ? 4 : 1
const count = (tag: Tag): number =>
  typeof tag.values === "string" ? Buffer.byteLength(tag.values) + 1 : tag.values.length
const payloadSize = (tag: Tag): number => typeSize(tag.type) * count(tag)
// Bytes an IFD occupies with its out-of-line values (each padded to an even offset).
export const ifdSize = (tags: ReadonlyArray<Tag>): number =>
  2 +
  tags.length * 12 +
  4 +
  tags.reduce((s, t) => s + (payloadSize(t) > 4 ? payloadSize(t) + (payloadSize(t) % 2) : 0), 0)

const putValues = (view: DataView, at: number, tag: Tag): void => {
  if (typeof tag.values === "string") {
    const bytes = Buffer.from(tag.values + "\0", "utf8")
    new Uint8Array(view.buffer, view.byteOffset + at, bytes.length).set(bytes)
    return
  }
  tag.values.forEach((v, i) => {
    if (tag.type === SHORT) view.setUint16(at + 2 * i, v, true)
    else if (tag.type === LONG) view.setUint32(at + 4 * i, v, true)
    else view.setFloat64(at + 8 * i, v, true)
  })
}

// Writes one IFD at `at` with its out-of-line values right after it; returns the end offset.
export const putIfd = (
  view: DataView,
  at: number,
  tags: ReadonlyArray<Tag>,
  next: number
): number => {
  const sorted = [...tags].sort((a, b) => a.code - b.code)
  view.setUint16(at, sorted.length, true)
  let extra = at + 2 + sorted.length * 12 + 4
  sorted.forEach((tag, i) => {
    const entry = at + 2 + i * 12
    view.setUint16(entry, tag.code, true)
    view.setUint16(entry + 2, tag.type, true)
    view.setUint32(entry + 4, count(tag), true)
    const size = payloadSize(tag)
    if (size <= 4) putValues(view, entry + 8, tag)
    else {
      view.setUint32(entry + 8, extra, true)
      putValues(view, extra, tag)
      extra += size + (size % 2)
    }
  })
  view.setUint32(at + 2 + sorted.length * 12, next, true)
  return extra
}
