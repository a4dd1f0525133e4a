// The files of a collection as the recipe lists them: glob patterns of local files (recipe-relative), URLs,
// or a text file of URLs (one a line, `#` comments). Sorted and deduplicated, so the index and every choice
// made from it are the same whatever order the file system returns.
import { Guarded } from "@eoforge/access"
import type { AccessPolicy } from "@eoforge/core"
import { glob } from "node:fs/promises"
import { isAbsolute } from "node:path"

/** How the recipe lists the files (at least one of them). */
export interface Spec {
  /** Glob patterns of local files, relative to the recipe (`labels/**\/*.tif`). */
  readonly files?: ReadonlyArray<string> | undefined
  /** URLs (http, https, s3) or paths. */
  readonly urls?: ReadonlyArray<string> | undefined
  /** A text file (relative to the recipe) holding one URL or path a line. */
  readonly urlList?: string | undefined
}

/** Largest URL list read, bytes. */
const maxListBytes = 64 * 1024 * 1024

/** The sorted, deduplicated files; `resolvePath` turns recipe-relative paths into real ones. */
export const list = async (
  spec: Spec,
  resolvePath: (path: string) => string,
  access: AccessPolicy.AccessPolicy
): Promise<ReadonlyArray<string>> => {
  const out = new Set<string>()
  const local = (p: string) => (/^(https?|s3):\/\//i.test(p) || isAbsolute(p) ? p : resolvePath(p))
  for (const pattern of spec.files ?? []) {
    for await (const path of glob(local(pattern))) out.add(path)
  }
  for (const url of spec.urls ?? []) out.add(local(url))
  if (spec.urlList !== undefined) {
    const handle = await Guarded.openFile(resolvePath(spec.urlList), { policy: access })
    try {
      const { size } = await handle.stat()
      if (size > maxListBytes)
        throw new Error(`${spec.urlList} is ${size} bytes, over ${maxListBytes}; split the list`)
      const text = (await handle.readFile()).toString("utf8")
      for (const line of text.split(/\r?\n/)) {
        const t = line.trim()
        if (t !== "" && !t.startsWith("#")) out.add(local(t))
      }
    } finally {
      await handle.close()
    }
  }
  return [...out].sort()
}
