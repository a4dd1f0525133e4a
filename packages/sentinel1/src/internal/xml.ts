// A small read-only view over txml's DOM for the Sentinel-1 annotation schemas.
// Every accessor throws XmlShapeError naming the element path; callers turn it into a typed error.
import { parse as parseXml, type TNode } from "txml/txml"

/** An element of a parsed document. */
export type Element = TNode

/** A required element or value is missing or malformed (path names the element). */
export class XmlShapeError extends Error {
  readonly path: string
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`)
    this.path = path
  }
}

/** The largest annotation EOForge parses (real ones are < 4 MB). */
export const maxXmlBytes = 64 * 1024 * 1024

/** Parses a document and returns its root element (the first element node). */
export const parseRoot = (text: string): Element => {
  if (text.length > maxXmlBytes) throw new XmlShapeError("/", `document over ${maxXmlBytes} bytes`)
  // S1 schemas have no HTML void elements; txml would otherwise treat <link>, <meta>… as empty.
  const nodes = parseXml(text, { selfClosingTags: [], skipXmlDeclaration: true })
  const root = nodes.find((n): n is Element => typeof n === "object" && n !== null)
  if (root === undefined) throw new XmlShapeError("/", "no root element")
  return root
}

const localName = (tag: string): string => {
  const i = tag.indexOf(":")
  return i < 0 ? tag : tag.slice(i + 1)
}

/** The child elements named `name` (namespace prefixes ignored). */
export const children = (node: Element, name: string): ReadonlyArray<Element> => {
  const out: Array<Element> = []
  for (const c of node.children)
    if (typeof c === "object" && localName(c.tagName) === name) out.push(c)
  return out
}

/** The first child element named `name`, or undefined. */
export const maybeChild = (node: Element, name: string): Element | undefined => {
  for (const c of node.children)
    if (typeof c === "object" && localName(c.tagName) === name) return c
  return undefined
}

/** The child at a slash-separated path, or a shape error naming the path. */
export const child = (node: Element, path: string): Element => {
  let at = node
  for (const part of path.split("/")) {
    const next = maybeChild(at, part)
    if (next === undefined) throw new XmlShapeError(`${node.tagName}/${path}`, "missing element")
    at = next
  }
  return at
}

/** The text content of an element (direct text children, trimmed). */
export const text = (node: Element): string => {
  let s = ""
  for (const c of node.children) if (typeof c === "string") s += c
  return s.trim()
}

/** The text at a path. */
export const textAt = (node: Element, path: string): string => text(child(node, path))

/** A finite number at a path. */
export const numberAt = (node: Element, path: string): number => {
  const s = textAt(node, path)
  const v = Number(s)
  if (s === "" || !Number.isFinite(v))
    throw new XmlShapeError(`${node.tagName}/${path}`, `not a number: "${s.slice(0, 40)}"`)
  return v
}

/** An integer at a path. */
export const intAt = (node: Element, path: string): number => {
  const v = numberAt(node, path)
  if (!Number.isInteger(v))
    throw new XmlShapeError(`${node.tagName}/${path}`, `not an integer: ${v}`)
  return v
}

/** A whitespace-separated list of finite numbers at a path; its `count` attribute must match. */
export const numbersAt = (node: Element, path: string): Float64Array => {
  const el = child(node, path)
  const parts = text(el)
    .split(/\s+/)
    .filter((p) => p !== "")
  const out = new Float64Array(parts.length)
  for (let i = 0; i < parts.length; i++) {
    const v = Number(parts[i])
    if (!Number.isFinite(v))
      throw new XmlShapeError(`${node.tagName}/${path}`, `value ${i} is not a number`)
    out[i] = v
  }
  const count = el.attributes["count"]
  if (count !== undefined && count !== null && Number(count) !== out.length) {
    throw new XmlShapeError(`${node.tagName}/${path}`, `count="${count}" but ${out.length} values`)
  }
  return out
}
