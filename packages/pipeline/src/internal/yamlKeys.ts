// Key paths inside a recipe's YAML: how they are written in messages, which line they point at, and
// a did-you-mean for misspelt keys.
import { isMap, isSeq, type Node } from "yaml"

/** The key path as written in messages, e.g. `products[0].dtype`. */
export const keyPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0
    ? "(top level)"
    : path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join("")

/**
 * The YAML node a key path points at: the key of the last mapping entry found (so a problem about a
 * block points at the block's own line), or the deepest node reached when the path goes missing.
 */
export const nodeAt = (root: Node | null, path: ReadonlyArray<PropertyKey>): Node | null => {
  let node: unknown = root
  let last: unknown = root
  for (const [i, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown })?.value === key)
      if (pair === undefined) break
      node = pair.value
      last = i === path.length - 1 || node === null || node === undefined ? pair.key : node
    } else if (isSeq(node) && typeof key === "number") {
      node = node.items[key]
      if (node !== null && node !== undefined) last = node
    } else break
  }
  return (last as Node | null) ?? null
}

const distance = (a: string, b: string): number => {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]
    dp[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = dp[j]
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return dp[b.length]
}

/** A " (did you mean …)" hint for a misspelt key, or "". */
export const suggest = (key: PropertyKey | undefined, known: ReadonlyArray<string>): string => {
  if (typeof key !== "string") return ""
  let best: string | undefined
  let bestD = Infinity
  for (const k of new Set(known)) {
    const d = distance(key, k)
    if (d < bestD) {
      bestD = d
      best = k
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3))
    ? ` (did you mean "${best}"?)`
    : ""
}
