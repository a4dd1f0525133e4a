// Recipe text to a plain value, refusing what could crash or stall the reader: bytes that are not
// UTF-8, oversized text, duplicate keys (found in one pass), alias bombs and exceptions of the parser.
import { constants } from "node:fs"
import { open } from "node:fs/promises"
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from "yaml"
import { limits } from "./recipeLimits.ts"
import { keyPath } from "./yamlKeys.ts"

/** One problem of a recipe: the 1-based line when known, the key path as written, what is wrong. */
export interface Problem {
  readonly line?: number
  readonly key: string
  readonly message: string
}

/** Parsed recipe text: its plain value and the document (for lines of key paths). */
export interface Parsed {
  readonly value: unknown
  readonly doc: Document.Parsed
  readonly lineCounter: LineCounter
}

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true })

/** Bytes of a recipe file as text; a problem naming the line of the first byte that is not UTF-8. */
export const decodeUtf8 = (bytes: Uint8Array): string | Problem => {
  try {
    return fatalUtf8.decode(bytes)
  } catch {
    // Find the first offending byte by decoding growing prefixes line by line (only on failure).
    let line = 1
    let start = 0
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          fatalUtf8.decode(bytes.subarray(start, i))
        } catch {
          break
        }
        line++
        start = i + 1
      }
    }
    return {
      line,
      key: "(encoding)",
      message: "the recipe is not UTF-8 text; save it as UTF-8"
    }
  }
}

/**
 * The text of a recipe file, or the problem that keeps it from being read as a recipe (not a regular
 * file, too large, not UTF-8). Rejects a promise only when the file cannot be opened or read.
 */
export const readFile = async (file: string): Promise<string | Problem> => {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is then refused as not a regular file.
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const info = await handle.stat()
    if (!info.isFile()) {
      return { key: "(file)", message: "not a regular file; give a YAML or JSON recipe file" }
    }
    if (info.size > limits.textChars) {
      return {
        key: "(size)",
        message: `the file has ${info.size} bytes; recipes are limited to ${limits.textChars}`
      }
    }
    return decodeUtf8(await handle.readFile())
  } finally {
    await handle.close()
  }
}

const messageOf = (e: unknown): string =>
  e instanceof RangeError
    ? "the document nests too deeply to read"
    : e instanceof Error
      ? e.message.split("\n")[0]
      : String(e)

// Duplicate keys of every mapping, in one pass (yaml's own check compares each key with all earlier
// ones, quadratic in the keys of a mapping). Iterative: a deeply nested document cannot overflow.
// A key path as a link to its parent, so that walking a deep document copies no paths.
interface PathLink {
  readonly parent: PathLink | undefined
  readonly key: PropertyKey
}
const pathOf = (link: PathLink | undefined): Array<PropertyKey> => {
  const path: Array<PropertyKey> = []
  for (let l = link; l !== undefined; l = l.parent) path.push(l.key)
  return path.reverse()
}

const duplicateKeys = (doc: Document.Parsed, lineCounter: LineCounter): Array<Problem> => {
  const problems: Array<Problem> = []
  const stack: Array<readonly [unknown, PathLink | undefined]> = [[doc.contents, undefined]]
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!
    if (isMap(node)) {
      const seen = new Set<unknown>()
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key
        const at: PathLink = { parent, key: typeof key === "symbol" ? key : String(key) }
        if (seen.has(key)) {
          const range = (pair.key as { range?: [number] } | null)?.range
          problems.push({
            ...(range ? { line: lineCounter.linePos(range[0]).line } : {}),
            key: keyPath(pathOf(at)),
            message: "this key is given twice in the same block; keep one"
          })
        }
        seen.add(key)
        stack.push([pair.value, at])
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push([item, { parent, key: i }]))
    }
  }
  return problems
}

// The line of the first alias of a document (for the alias-bomb message).
const firstAliasLine = (doc: Document.Parsed, lineCounter: LineCounter): number | undefined => {
  const stack: Array<unknown> = [doc.contents]
  while (stack.length > 0) {
    const node = stack.pop()
    if (isAlias(node)) {
      return node.range ? lineCounter.linePos(node.range[0]).line : undefined
    }
    // Children pushed last to first, so the first alias in document order is found first.
    if (isMap(node)) for (const pair of [...node.items].reverse()) stack.push(pair.value, pair.key)
    else if (isSeq(node)) for (const item of [...node.items].reverse()) stack.push(item)
  }
  return undefined
}

/** Parse recipe text (YAML, of which JSON is a subset) into a plain value, or the problems found. */
export const read = (text: string): Parsed | ReadonlyArray<Problem> => {
  if (text.length > limits.textChars) {
    return [
      {
        key: "(size)",
        message: `the recipe has ${text.length} characters; recipes are limited to ${limits.textChars}`
      }
    ]
  }
  const lineCounter = new LineCounter()
  let doc: Document.Parsed
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
  } catch (e) {
    return [{ key: "(syntax)", message: messageOf(e) }]
  }
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => ({
      line: lineCounter.linePos(e.pos[0]).line,
      key: "(syntax)",
      message: e.message.split("\n")[0]
    }))
  }
  const duplicates = duplicateKeys(doc, lineCounter)
  if (duplicates.length > 0) return duplicates
  try {
    return { value: doc.toJS({ maxAliasCount: limits.aliases }), doc, lineCounter }
  } catch (e) {
    const line = firstAliasLine(doc, lineCounter)
    const aliasBomb = e instanceof ReferenceError && /alias/i.test(e.message)
    return [
      {
        ...(line === undefined || !aliasBomb ? {} : { line }),
        key: aliasBomb ? "(aliases)" : "(syntax)",
        message: aliasBomb
          ? `aliases expand to too much data (more than ${limits.aliases} nodes); write the values out`
          : messageOf(e)
      }
    ]
  }
}

/** At most `limits.reportedProblems` problems, the rest counted in a last line (reporting stays linear). */
export const capped = <A>(
  problems: ReadonlyArray<A>,
  describe: (a: A) => Problem
): ReadonlyArray<Problem> => {
  const shown = problems.slice(0, limits.reportedProblems).map(describe)
  const rest = problems.length - shown.length
  return rest === 0
    ? shown
    : [...shown, { key: "(more)", message: `and ${rest} more problems of the same kinds` }]
}
