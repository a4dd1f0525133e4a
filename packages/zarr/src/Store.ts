// The key–value back-end under a store: a tiny service (get, ranged get, atomic set, delete, list).
// Layers: the local file system (temp file + rename in the same directory) and memory (tests, examples).
import { SafeName } from "@eoforge/core"
import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import {
  entriesOf,
  isMissing,
  isTemp,
  type SweepOptions,
  sweepStale,
  tempName
} from "./internal/temporaries.ts"
import { StoreError } from "./ZarrError.ts"

/** A byte range: `offset`/`length` from the start, or the last `suffixLength` bytes. */
export type Range =
  { readonly offset: number; readonly length: number } | { readonly suffixLength: number }

/** A value opened for repeated positioned reads (see `StoreApi.openRanged`). */
export interface RangedFile {
  /** Bytes in the value when it was opened. */
  readonly size: number
  /** Fill `target` with the value's bytes from `offset` on; fails when the value ends first. */
  readonly readInto: (offset: number, target: Uint8Array) => Effect.Effect<void, StoreError>
  /** Release the underlying descriptor; reads after it fail. */
  readonly close: Effect.Effect<void>
}

/** The operations a back-end offers; keys are `/`-separated and relative to the store root. */
export interface StoreApi {
  /** A human label for messages, e.g. the root directory. */
  readonly location: string
  /** The whole value, or undefined when the key is absent. */
  readonly get: (key: string) => Effect.Effect<Uint8Array | undefined, StoreError>
  /** A byte range of the value, or undefined when the key is absent (optional capability). */
  readonly getRange?: (
    key: string,
    range: Range
  ) => Effect.Effect<Uint8Array | undefined, StoreError>
  /**
   * Open a value for many positioned reads, or undefined when the key is absent (optional capability;
   * local files keep one descriptor open until `close`, so reads see the file as it was when opened).
   */
  readonly openRanged?: (key: string) => Effect.Effect<RangedFile | undefined, StoreError>
  /** Publish a value atomically: readers see the old value or the whole new one, never part of it. */
  readonly set: (
    key: string,
    value: Uint8Array | ReadonlyArray<Uint8Array>
  ) => Effect.Effect<void, StoreError>
  /** Remove a key; absent keys are fine. */
  readonly delete: (key: string) => Effect.Effect<void, StoreError>
  /** Every key under a prefix (`""` for all), sorted. */
  readonly list: (prefix: string) => Effect.Effect<ReadonlyArray<string>, StoreError>
}

/** The store back-end service. */
export class Store extends Context.Service<Store, StoreApi>()("@eoforge/zarr/Store") {}

const parts = (value: Uint8Array | ReadonlyArray<Uint8Array>): ReadonlyArray<Uint8Array> =>
  value instanceof Uint8Array ? [value] : value

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  let n = 0
  for (const c of chunks) n += c.length
  const out = new Uint8Array(n)
  let o = 0
  for (const c of chunks) {
    out.set(c, o)
    o += c.length
  }
  return out
}

const slice = (value: Uint8Array, range: Range): Uint8Array =>
  "suffixLength" in range
    ? value.slice(Math.max(0, value.length - range.suffixLength))
    : value.slice(range.offset, range.offset + range.length)

/** An in-memory back-end over a Map (optionally shared, to inspect it in tests). */
export const makeMemory = (map: Map<string, Uint8Array> = new Map()): StoreApi => ({
  location: "memory:",
  get: (key) => Effect.sync(() => map.get(key)),
  getRange: (key, range) =>
    Effect.sync(() => {
      const v = map.get(key)
      return v === undefined ? undefined : slice(v, range)
    }),
  set: (key, value) => Effect.sync(() => void map.set(key, concat(parts(value)))),
  delete: (key) => Effect.sync(() => void map.delete(key)),
  list: (prefix) => Effect.sync(() => [...map.keys()].filter((k) => k.startsWith(prefix)).sort())
})

/** A key or directory that would lead outside the store root (mapped to a `StoreError`). */
class EscapeError extends Error {
  constructor(what: string) {
    super(`${what} leads outside the store; refusing to write there`)
  }
}

/** Options of the file-system back-end. */
export interface FileSystemOptions {
  /** fsync each file before its rename (survives power loss, not only process death). Default false. */
  readonly fsync?: boolean
  /**
   * `layerFileSystem` only: run `sweepStale` once when the layer is built (a walk of the whole tree).
   * Default false; turn it on where a run opens the store once, not per job.
   */
  readonly sweepStale?: boolean
}

/** A back-end over a local directory; every `set` writes a temporary file and renames it into place. */
export const makeFileSystem = (root: string, options: FileSystemOptions = {}): StoreApi => {
  const resolve = (key: string) => {
    // Keys come from layouts and records that may have been written by someone else: none may leave
    // the root (`..`, absolute, empty segments).
    if (!SafeName.isContainedKey(key)) throw new EscapeError(`the key ${JSON.stringify(key)}`)
    return path.join(root, ...key.split("/"))
  }
  const fail = (key: string, operation: string) => (cause: unknown) =>
    new StoreError({
      key,
      operation,
      message: `cannot ${operation} ${SafeName.isContainedKey(key) ? path.join(root, key) : JSON.stringify(key)} in ${root}: ${String((cause as Error)?.message ?? cause)}`,
      cause
    })
  /**
   * The directory of `key`, every level below the root checked to be a real directory (a symlink could
   * send writes outside the store), created when `create`; undefined when absent and not created.
   */
  const directoryOf = async (key: string, create: boolean): Promise<string | undefined> => {
    resolve(key)
    const segments = key.split("/").slice(0, -1)
    let dir = root
    if (create) await fs.mkdir(root, { recursive: true })
    for (const segment of segments) {
      dir = path.join(dir, segment)
      let stat = await fs
        .lstat(dir)
        .catch((e: unknown) => (isMissing(e) ? undefined : Promise.reject(e)))
      if (stat === undefined) {
        if (!create) return undefined
        await fs
          .mkdir(dir)
          .catch((e: { code?: string }) => (e.code === "EEXIST" ? undefined : Promise.reject(e)))
        stat = await fs.lstat(dir)
      }
      if (stat.isSymbolicLink())
        throw new EscapeError(
          `${dir} is a symbolic link; a store's directories must be real directories`
        )
      if (!stat.isDirectory()) throw new Error(`${dir} is not a directory`)
    }
    return dir
  }
  const read = async (key: string, range?: Range): Promise<Uint8Array | undefined> => {
    let handle: fs.FileHandle
    try {
      handle = await fs.open(resolve(key), "r")
    } catch (e) {
      if (isMissing(e)) return undefined
      throw e
    }
    try {
      const size = (await handle.stat()).size
      const offset =
        range === undefined
          ? 0
          : "suffixLength" in range
            ? Math.max(0, size - range.suffixLength)
            : range.offset
      const length =
        range === undefined
          ? size
          : "suffixLength" in range
            ? size - offset
            : Math.max(0, Math.min(range.length, size - offset))
      const out = new Uint8Array(length)
      let done = 0
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done)
        if (bytesRead === 0) break
        done += bytesRead
      }
      return done === length ? out : out.subarray(0, done)
    } finally {
      await handle.close()
    }
  }
  const openRanged = async (key: string): Promise<RangedFile | undefined> => {
    let handle: fs.FileHandle
    try {
      handle = await fs.open(resolve(key), "r")
    } catch (e) {
      if (isMissing(e)) return undefined
      throw e
    }
    let size: number
    try {
      size = (await handle.stat()).size
    } catch (e) {
      await handle.close()
      throw e
    }
    const readInto = async (offset: number, target: Uint8Array): Promise<void> => {
      let done = 0
      while (done < target.length) {
        const { bytesRead } = await handle.read(target, done, target.length - done, offset + done)
        if (bytesRead === 0)
          throw new Error(`value ends at byte ${offset + done}, wanted ${offset + target.length}`)
        done += bytesRead
      }
    }
    return {
      size,
      readInto: (offset, target) =>
        Effect.tryPromise({ try: () => readInto(offset, target), catch: fail(key, "read") }),
      close: Effect.promise(() => handle.close().catch(() => undefined))
    }
  }
  const write = async (key: string, chunks: ReadonlyArray<Uint8Array>): Promise<void> => {
    const target = resolve(key)
    const dir = (await directoryOf(key, true))!
    const base = path.basename(target)
    // No directory listing here: a shard directory holds thousands of files, and another process may be
    // writing the same key. Temporaries of killed writers are left to `sweepStale`.
    const temp = path.join(dir, tempName(base))
    const handle = await fs.open(temp, "wx")
    try {
      try {
        if (chunks.length > 0) await handle.writev(chunks as Array<Uint8Array>)
        if (options.fsync === true) await handle.sync()
      } finally {
        await handle.close()
      }
      await fs.rename(temp, target)
    } catch (e) {
      await fs.rm(temp, { force: true }).catch(() => undefined)
      throw e
    }
  }
  const walk = async (dir: string, rel: string, out: Array<string>): Promise<void> => {
    for (const entry of await entriesOf(dir)) {
      const key = rel === "" ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), key, out)
      else if (!isTemp(entry.name)) out.push(key)
    }
  }
  return {
    location: root,
    get: (key) => Effect.tryPromise({ try: () => read(key), catch: fail(key, "read") }),
    getRange: (key, range) =>
      Effect.tryPromise({ try: () => read(key, range), catch: fail(key, "read") }),
    openRanged: (key) =>
      Effect.tryPromise({ try: () => openRanged(key), catch: fail(key, "read") }),
    set: (key, value) =>
      Effect.tryPromise({ try: () => write(key, parts(value)), catch: fail(key, "write") }),
    delete: (key) =>
      Effect.tryPromise({
        try: async () => {
          if ((await directoryOf(key, false)) !== undefined)
            await fs.rm(resolve(key), { force: true })
        },
        catch: fail(key, "delete")
      }),
    list: (prefix) =>
      Effect.tryPromise({
        try: async () => {
          const out: Array<string> = []
          const start = prefix.replace(/\/+$/, "")
          const dir = start === "" ? root : resolve(start)
          await walk(dir, start, out)
          return out.sort()
        },
        catch: fail(prefix, "list")
      })
  }
}

export { type SweepOptions, sweepStale, tempName }

/**
 * The local file-system back-end rooted at a directory; with `sweepStale: true` the layer first runs
 * `sweepStale(root)` (and may then fail with its `StoreError`).
 */
export function layerFileSystem(
  root: string,
  options?: FileSystemOptions & { readonly sweepStale?: false }
): Layer.Layer<Store>
export function layerFileSystem(
  root: string,
  options: FileSystemOptions
): Layer.Layer<Store, StoreError>
export function layerFileSystem(
  root: string,
  options?: FileSystemOptions
): Layer.Layer<Store, StoreError> {
  const api = makeFileSystem(root, options)
  return options?.sweepStale === true
    ? Layer.effect(Store, Effect.as(sweepStale(root), api))
    : Layer.succeed(Store, api)
}

/** A fresh in-memory back-end. */
export const layerMemory: Layer.Layer<Store> = Layer.sync(Store, () => makeMemory())
