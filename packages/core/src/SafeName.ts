// The one rule for names that become paths: product, band, slot and sample ids, store keys.
// A safe name is a single portable path segment; anything else is refused where it enters (recipe, store).

/** The longest safe name in UTF-8 bytes (most filesystems cap a segment at 255). */
export const maxBytes = 200

const utf8 = new TextEncoder()

// Letters, digits and a few separators; no path syntax, no control or shell characters, no spaces.
const pattern = /^[A-Za-z0-9][A-Za-z0-9._+@=-]*$/

// Windows device names are refused too: a store is often copied to other systems.
const reserved = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i

/** Why `name` cannot be a path segment, or `undefined` when it can. */
export const problem = (name: unknown): string | undefined => {
  if (typeof name !== "string") return "is not a string"
  if (name.length === 0) return "is empty"
  if (utf8.encode(name).length > maxBytes) return `is longer than ${maxBytes} bytes`
  if (name === "." || name === "..") return "is a relative path step"
  if (name.includes("/") || name.includes("\\")) return "contains a path separator"
  if (name.includes("..")) return "contains '..'"
  if (reserved.test(name)) return "is a reserved device name"
  if (!pattern.test(name))
    return "may use only letters, digits and . _ + @ = - (starting with a letter or digit)"
  return undefined
}

/** True when `name` may become one path segment. */
export const isSafe = (name: unknown): name is string => problem(name) === undefined

/** Thrown by {@link assert}: a name that cannot become a path segment. */
export class UnsafeNameError extends Error {
  readonly _tag = "UnsafeNameError"
  readonly what: string
  readonly value: string
  readonly reason: string
  constructor(what: string, value: string, reason: string) {
    super(`${what} ${JSON.stringify(value.slice(0, 80))} ${reason}`)
    this.what = what
    this.value = value
    this.reason = reason
  }
}

/** `name` itself when safe; otherwise throws {@link UnsafeNameError} naming `what` it is. */
export const assert = (name: unknown, what: string): string => {
  const reason = problem(name)
  if (reason !== undefined) throw new UnsafeNameError(what, String(name), reason)
  return name as string
}

/**
 * True when `relative` (a `/`-separated key below some root) stays below that root: every segment is
 * non-empty, not `.` or `..`, and the key is not absolute. Store keys such as `s2l1c/data/c/0/0/0` pass.
 */
export const isContainedKey = (relative: string): boolean => {
  if (relative.length === 0 || relative.startsWith("/") || relative.includes("\\")) return false
  if (relative.includes("\0")) return false
  return relative.split("/").every((s) => s.length > 0 && s !== "." && s !== "..")
}
