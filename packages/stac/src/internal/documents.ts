// Catalogue documents read at most once per build: remote ones kept in a disk cache (the store's
// `.eoforge/stac-cache`) and revalidated with ETag / Last-Modified, so a resumed build or another worker sends
// conditional requests (answered 304) instead of fetching every document again.
import { Effect } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { hostname } from "node:os"
import { join } from "node:path"
import type { Guarded } from "@eoforge/access"
import type { AccessError, StacHttpError } from "../StacError.ts"
import type { Http } from "./http.ts"
import { isLocal } from "./http.ts"

/** What a cache entry records beside the body (first line of the file). */
interface Header {
  readonly url: string
  readonly etag?: string | undefined
  readonly lastModified?: string | undefined
}

/** Counts of one cache's work, for reports and tests. */
export interface Counts {
  /** Documents answered 200 (fetched whole). */
  fetched: number
  /** Documents answered 304 (the cached copy is current). */
  revalidated: number
  /** Reads of a document already checked in this build (disk or memory, no request). */
  reused: number
}

/** Documents of catalogues, read through one cache. */
export interface Documents {
  /** The parsed document at `url` (undefined when its body is not JSON). */
  readonly get: (
    url: string,
    guard: Guarded.Guard
  ) => Effect.Effect<unknown, StacHttpError | AccessError>
  readonly counts: Counts
}

/** Bytes kept in memory when there is no cache directory; past it, documents are read again. */
export const memoryBudgetBytes = 256 * 1024 * 1024

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const token = randomBytes(4).toString("hex")
let counter = 0

/** Documents read through `http`, remote ones cached under `directory` (memory only when undefined). */
export const make = (http: Http, directory: string | undefined): Documents => {
  const counts: Counts = { fetched: 0, revalidated: 0, reused: 0 }
  // Documents checked in this build: where their current text lives.
  const current = new Map<string, string | null>()
  let memoryBytes = 0

  const fileOf = (url: string): string => {
    const h = createHash("sha256").update(url).digest("hex")
    return join(directory ?? "", h.slice(0, 2), `${h}.json`)
  }

  const readEntry = (url: string) =>
    Effect.promise(async (): Promise<{ header: Header; body: string } | undefined> => {
      if (directory === undefined) return undefined
      try {
        const text = await readFile(fileOf(url), "utf8")
        const cut = text.indexOf("\n")
        const header = JSON.parse(text.slice(0, cut)) as Header
        // A hash collision or a foreign file is a miss, never someone else's document.
        return header.url === url ? { header, body: text.slice(cut + 1) } : undefined
      } catch {
        return undefined
      }
    })

  // Written whole under a temporary name (the store's form, so its sweep removes ones of killed writers)
  // and renamed: a reader or another worker never sees half an entry. A failed write only costs a refetch.
  const writeEntry = (header: Header, body: string) =>
    Effect.promise(async () => {
      if (directory === undefined) return
      const file = fileOf(header.url)
      const dir = join(file, "..")
      const base = file.slice(dir.length + 1)
      const temp = join(dir, `.${base}~${hostname()}~${process.pid}-${token}~${counter++}.tmp`)
      try {
        await mkdir(dir, { recursive: true })
        await writeFile(temp, `${JSON.stringify(header)}\n${body}`)
        await rename(temp, file)
      } catch {
        await rm(temp, { force: true }).catch(() => undefined)
      }
    })

  const remember = (url: string, text: string) => {
    if (directory !== undefined) current.set(url, null)
    else if (memoryBytes + text.length <= memoryBudgetBytes) {
      memoryBytes += text.length
      current.set(url, text)
    }
  }

  const fetch = (url: string, guard: Guarded.Guard) =>
    Effect.gen(function* () {
      const cached = yield* readEntry(url)
      const headers: Record<string, string> = {}
      if (cached?.header.etag !== undefined) headers["if-none-match"] = cached.header.etag
      if (cached?.header.lastModified !== undefined)
        headers["if-modified-since"] = cached.header.lastModified
      const res = yield* http.json({ method: "GET", url, headers }, guard)
      if (res.status === 304 && cached !== undefined) {
        counts.revalidated++
        remember(url, cached.body)
        return parse(cached.body)
      }
      counts.fetched++
      if (res.etag !== undefined || res.lastModified !== undefined)
        yield* writeEntry({ url, etag: res.etag, lastModified: res.lastModified }, res.text)
      else if (directory !== undefined) yield* writeEntry({ url }, res.text)
      remember(url, res.text)
      return res.json
    })

  const get = (
    url: string,
    guard: Guarded.Guard
  ): Effect.Effect<unknown, StacHttpError | AccessError> =>
    Effect.suspend(() => {
      // Local files are as cheap to read again as a cache would be.
      if (isLocal(url)) return Effect.map(http.json({ method: "GET", url }, guard), (r) => r.json)
      const where = current.get(url)
      if (where === undefined) return fetch(url, guard)
      counts.reused++
      if (where !== null) return Effect.succeed(parse(where))
      return Effect.flatMap(readEntry(url), (entry) =>
        entry === undefined ? fetch(url, guard) : Effect.succeed(parse(entry.body))
      )
    })

  return { get, counts }
}
