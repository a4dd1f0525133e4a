// NumPy `.npy` files (format versions 1–3) as Earth Engine's computePixels returns them: a structured array
// of shape (rows, cols) with one field per band, decoded band-major; plain 2-D/3-D arrays too. And an encoder.
import { DType } from "@eoforge/core"
import { Schema } from "effect"

/** A decoded array: one band-major typed array per band. */
export interface Bands {
  readonly names: ReadonlyArray<string>
  readonly dtypes: ReadonlyArray<DType.DType>
  readonly height: number
  readonly width: number
  readonly data: ReadonlyArray<DType.TypedArray>
}

/** Bytes that are not a `.npy` file EOForge decodes. */
export class NpyError extends Schema.TaggedError<NpyError>()("NpyError", {
  message: Schema.String
}) {}

const codes: Record<string, DType.DType> = {
  u1: "uint8",
  i1: "int8",
  u2: "uint16",
  i2: "int16",
  u4: "uint32",
  i4: "int32",
  f4: "float32",
  f8: "float64"
}
const codeOf = Object.fromEntries(Object.entries(codes).map(([k, v]) => [v, k])) as Record<
  DType.DType,
  string
>

interface Field {
  readonly name: string
  readonly dtype: DType.DType
  readonly little: boolean
  readonly offset: number
}

const fail = (message: string): never => {
  throw new NpyError({ message })
}

const typeCode = (descr: string): { dtype: DType.DType; little: boolean } => {
  const m = /^([<>|=])([uif][1248])$/.exec(descr)
  const dtype = m === null ? undefined : codes[m[2]]
  if (m === null || dtype === undefined) return fail(`unsupported dtype ${descr}`)
  return { dtype, little: m[1] !== ">" }
}

// The header is a Python dict literal; this reads the subset NumPy writes (strings, tuples, lists, bools, ints).
const pythonLiteral = (text: string): unknown => {
  let i = 0
  const ws = () => {
    while (/\s/.test(text[i] ?? "")) i++
  }
  const value = (): unknown => {
    ws()
    const c = text[i]
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1)
      if (end < 0) fail("unterminated string in the header")
      const s = text.slice(i + 1, end)
      i = end + 1
      return s
    }
    if (c === "{" || c === "(" || c === "[") {
      const close = c === "{" ? "}" : c === "(" ? ")" : "]"
      i++
      const items: Array<unknown> = []
      const entries: Array<[string, unknown]> = []
      for (;;) {
        ws()
        if (text[i] === close) {
          i++
          break
        }
        const v = value()
        ws()
        if (c === "{") {
          if (text[i] !== ":") fail("expected : in the header dict")
          i++
          entries.push([String(v), value()])
        } else items.push(v)
        ws()
        if (text[i] === ",") i++
        else if (text[i] !== close) fail(`unexpected ${text[i]} in the header`)
      }
      return c === "{" ? Object.fromEntries(entries) : items
    }
    const m = /^(True|False|-?\d+)/.exec(text.slice(i))
    if (m === null) return fail(`cannot read the header at "${text.slice(i, i + 20)}"`)
    i += m[0].length
    return m[0] === "True" ? true : m[0] === "False" ? false : Number(m[0])
  }
  return value()
}

/** Decode a `.npy` file; refuses more than `maxValues` values. */
export const decode = (bytes: Uint8Array, maxValues = 1 << 28): Bands => {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]
  if (bytes.length < 10 || magic.some((b, k) => bytes[k] !== b)) fail("not a .npy file (magic)")
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const major = bytes[6]
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  const start = major === 1 ? 10 : 12
  if (major < 1 || major > 3) fail(`unsupported .npy version ${major}`)
  if (start + headerLength > bytes.length) fail("header longer than the file")
  const header = pythonLiteral(
    new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
      bytes.subarray(start, start + headerLength)
    )
  ) as { descr?: unknown; fortran_order?: unknown; shape?: unknown }
  if (header.fortran_order !== false) fail("Fortran-order arrays are not read")
  const shape = header.shape
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    return fail("shape is not a tuple of sizes")
  const fields: Array<Field> = []
  let itemSize = 0
  if (Array.isArray(header.descr)) {
    for (const f of header.descr) {
      if (!Array.isArray(f) || typeof f[0] !== "string" || typeof f[1] !== "string")
        return fail("structured descr entries must be (name, type)")
      const t = typeCode(f[1])
      fields.push({ name: f[0], ...t, offset: itemSize })
      itemSize += DType.byteSize(t.dtype)
    }
  } else if (typeof header.descr === "string") {
    const t = typeCode(header.descr)
    itemSize = DType.byteSize(t.dtype)
    const bandsIn3d = shape.length === 3 ? (shape[2] as number) : 1
    for (let b = 0; b < bandsIn3d; b++)
      fields.push({ name: `b${b + 1}`, ...t, offset: b * itemSize })
    itemSize *= bandsIn3d
  } else fail("descr must be a type string or a list of fields")
  if (!(shape.length === 2 || (shape.length === 3 && typeof header.descr === "string")))
    fail(`shape (${shape.join(", ")}) is not (rows, cols) or (rows, cols, bands)`)
  const [height, width] = shape as Array<number>
  const n = height * width
  if (n * fields.length > maxValues) fail(`more than ${maxValues} values`)
  const body = start + headerLength
  if (bytes.length - body < n * itemSize)
    fail(`body holds ${bytes.length - body} bytes, ${n * itemSize} expected`)
  const data = fields.map((f) => {
    const out = DType.alloc(f.dtype, n)
    const get = getter(view, f.dtype)
    for (let i = 0, at = body + f.offset; i < n; i++, at += itemSize) out[i] = get(at, f.little)
    return out
  })
  return {
    names: fields.map((f) => f.name),
    dtypes: fields.map((f) => f.dtype),
    height,
    width,
    data
  }
}

const getter = (view: DataView, dtype: DType.DType): ((at: number, little: boolean) => number) => {
  switch (dtype) {
    case "uint8":
      return (at) => view.getUint8(at)
    case "int8":
      return (at) => view.getInt8(at)
    case "uint16":
      return (at, le) => view.getUint16(at, le)
    case "int16":
      return (at, le) => view.getInt16(at, le)
    case "uint32":
      return (at, le) => view.getUint32(at, le)
    case "int32":
      return (at, le) => view.getInt32(at, le)
    case "float32":
      return (at, le) => view.getFloat32(at, le)
    case "float64":
      return (at, le) => view.getFloat64(at, le)
  }
}

/** Encode bands as a version 1.0 structured `.npy` array of shape (height, width), little-endian. */
export const encode = (bands: Bands): Uint8Array => {
  const descr = bands.names
    .map(
      (name, b) =>
        `('${name}', '${bands.dtypes[b] === "uint8" || bands.dtypes[b] === "int8" ? "|" : "<"}${codeOf[bands.dtypes[b]]}')`
    )
    .join(", ")
  let header = `{'descr': [${descr}], 'fortran_order': False, 'shape': (${bands.height}, ${bands.width}), }`
  // Header padded with spaces and a newline so the body starts on a multiple of 64 bytes.
  const pad = 64 - ((10 + header.length + 1) % 64)
  header = `${header}${" ".repeat(pad % 64)}\n`
  const itemSize = bands.dtypes.reduce((s, d) => s + DType.byteSize(d), 0)
  const n = bands.height * bands.width
  const out = new Uint8Array(10 + header.length + n * itemSize)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
  const view = new DataView(out.buffer)
  view.setUint16(8, header.length, true)
  out.set(new TextEncoder().encode(header), 10)
  let offset = 10 + header.length
  for (let i = 0; i < n; i++) {
    bands.data.forEach((arr, b) => {
      const v = arr[i]
      switch (bands.dtypes[b]) {
        case "uint8":
          view.setUint8(offset, v)
          break
        case "int8":
          view.setInt8(offset, v)
          break
        case "uint16":
          view.setUint16(offset, v, true)
          break
        case "int16":
          view.setInt16(offset, v, true)
          break
        case "uint32":
          view.setUint32(offset, v, true)
          break
        case "int32":
          view.setInt32(offset, v, true)
          break
        case "float32":
          view.setFloat32(offset, v, true)
          break
        case "float64":
          view.setFloat64(offset, v, true)
          break
      }
      offset += DType.byteSize(bands.dtypes[b])
    })
  }
  return out
}
